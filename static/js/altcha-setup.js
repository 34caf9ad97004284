// The vendored ALTCHA widget is its "external" build: it injects no style and bundles no worker,
// so that the Content-Security-Policy can stay 'self'. This registers its PBKDF2 worker, served
// from this site (the address comes from the page, so that it follows the static file names).
const widget = document.querySelector("altcha-widget[data-worker]");
if (widget && globalThis.$altcha) {
  const worker = widget.dataset.worker;
  globalThis.$altcha.algorithms.set("PBKDF2/SHA-256", () => new Worker(worker));
}
