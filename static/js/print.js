// A "Print" button for pages meant to be printed (backup codes). Without JavaScript the button
// stays hidden and the browser's own print command does the same.
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.hidden = false;
  button.addEventListener("click", function () {
    window.print();
  });
});
