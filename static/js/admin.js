// Accessibility fix for the Django admin's autocomplete boxes (select2): the
// combobox and its text box are labelled by the chosen value, which is empty
// at first, so they have no name. Name them after the field's own label.
(function () {
  "use strict";
  function nameComboboxes() {
    document.querySelectorAll("select.admin-autocomplete").forEach(function (select) {
      var label = document.querySelector('label[for="' + select.id + '"]');
      var text = document.getElementById("select2-" + select.id + "-container");
      if (!label || !text) { return; }
      var name = label.textContent.replace(/:\s*$/, "").trim();
      var box = text.closest(".select2-selection");
      [box, text].forEach(function (el) {
        if (el) { el.setAttribute("aria-label", name); el.removeAttribute("aria-labelledby"); }
      });
    });
  }
  // select2 starts on DOMContentLoaded (admin/js/autocomplete.js) and again
  // for each row added to an inline.
  // Watching the page catches every box select2 adds or re-renders.
  new MutationObserver(nameComboboxes).observe(document.documentElement, {
    childList: true,
    subtree: true,
  });
  nameComboboxes();
})();
