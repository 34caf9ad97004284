// The receipt page's "Copy the code" button (issue 15). Progressive enhancement: the button is
// hidden in the HTML and shown only here, so that without JavaScript the page shows the code as
// plain, selectable text and no button that does nothing. The result is announced in the
// page's aria-live region; the texts come from the page, in its language.
(function () {
  "use strict";

  function selectText(element) {
    const range = document.createRange();
    range.selectNodeContents(element);
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  function copyBySelection(element) {
    // Without the Clipboard API (a page not served over HTTPS): the older way.
    selectText(element);
    try {
      return document.execCommand("copy");
    } catch (error) {
      return false;
    }
  }

  document.querySelectorAll("button[data-copy-receipt]").forEach(function (button) {
    const code = document.getElementById(button.dataset.copyReceipt);
    const status = button.parentElement.querySelector("[data-copy-status]");
    if (!code || !status) {
      return;
    }
    function announce(ok) {
      // Emptied first, so that a second click is announced again.
      status.textContent = "";
      window.setTimeout(function () {
        status.textContent = ok ? button.dataset.copied : button.dataset.failed;
      }, 50);
      if (!ok) {
        selectText(code);
      }
    }
    button.addEventListener("click", function () {
      const text = code.textContent.trim();
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(
          function () {
            announce(true);
          },
          function () {
            announce(copyBySelection(code));
          },
        );
      } else {
        announce(copyBySelection(code));
      }
    });
    button.hidden = false;
  });
})();
