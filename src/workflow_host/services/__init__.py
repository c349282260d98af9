"""Plain functions over (session, runtime): each public step is one transaction's worth of work."""
