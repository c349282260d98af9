// The page header's version facts (the item's revision, the version, when and by whom deployed), refreshed
// from a save's answer so the header never shows the version the page was opened on after a save.
const FIELDS = { "version-id": "id", "version-revision": "revision", "version-deployed-at": "deployed_at",
  "version-deployed-by": "deployed_by" };

export function showVersion(version) {
  Object.entries(FIELDS).forEach(([id, key]) => {
    const holder = document.getElementById(id);
    if (holder && version[key] !== undefined && version[key] !== null) {
      holder.textContent = String(version[key]);
    }
  });
  const id = document.getElementById("version-id");
  if (id) {
    id.dataset.versionId = String(version.id);
  }
}
