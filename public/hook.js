// Progressive enhancement only: every page works without this file.
// A second tap on a submit button while the first answer is on its way would make the browser drop
// the first answer (the redirect back to the wallet) and show the second ("already completed").
// So once a form is sent, further submits of it are ignored until the page is shown again.
(function () {
  'use strict';
  // A page that is the answer to a POST (a step page with errors) becomes a plain GET in the history:
  // Back to it, or a reload, then asks for the step's page again instead of offering to resend the
  // form ("Confirm Form Resubmission"). On a page that came from a GET this changes nothing.
  history.replaceState(history.state, '', location.href);
  var sent = new WeakSet();
  document.addEventListener('submit', function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    if (!sent.has(form) && form.classList.contains('language-form')) carryTyped(form);
    if (sent.has(form)) {
      event.preventDefault();
      return;
    }
    sent.add(form);
    form.setAttribute('aria-busy', 'true');
  });
  // The language switch of a page that shows what was typed posts the values the page held when it
  // was drawn; what was typed since then in the fields it names (data-carries) goes in their place.
  // Only those: a code typed into another step's page is never sent by a language switch.
  function carryTyped(languageForm) {
    var stepForm = document.getElementById('step-form');
    var names = (languageForm.getAttribute('data-carries') || '').split(' ').filter(Boolean);
    if (!stepForm || names.length === 0) return;
    var kept = languageForm.querySelectorAll('input[type="hidden"]');
    for (var i = 0; i < kept.length; i++) if (names.indexOf(kept[i].name) !== -1) kept[i].remove();
    new FormData(stepForm).forEach(function (value, name) {
      if (names.indexOf(name) === -1 || typeof value !== 'string' || value === '') return;
      var field = document.createElement('input');
      field.type = 'hidden';
      field.name = name;
      field.value = value;
      languageForm.appendChild(field);
    });
  }
  // Coming back with the Back button restores the page from memory: let it be sent again.
  window.addEventListener('pageshow', function (event) {
    if (!event.persisted) return;
    sent = new WeakSet();
    var forms = document.querySelectorAll('form[aria-busy]');
    for (var i = 0; i < forms.length; i++) forms[i].removeAttribute('aria-busy');
  });
})();
