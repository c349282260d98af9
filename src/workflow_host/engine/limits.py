"""How much a diagram script may build or store."""

MAX_SEQUENCE = 1_000_000  # items of a string, list or tuple built by one operation
MAX_INT_BITS = 64_000
MAX_DECIMAL_EXPONENT = 10_000  # of a Decimal a script makes or computes (amounts need a few dozen digits)
MAX_RANGE = 100_000
MAX_BUILT = 100_000_000  # items of all the strings, lists and tuples one script run builds by its operations
MAX_MEMORY_GROWTH = 256 * 2**20  # bytes one script run may add to its process's memory (the backstop)
MAX_STORED = 1_000_000  # characters and items a script may leave in task data
MAX_SCRIPTS_TOTAL = 512 * 1024  # characters of all the scripts and expressions of one deployment, checked at once
MAX_TASKS_PER_STEP = 2_000  # tasks one step may make before it waits (a litigation case makes a few dozen at most)
