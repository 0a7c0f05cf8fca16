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
    if (sent.has(form)) {
      event.preventDefault();
      return;
    }
    sent.add(form);
    form.setAttribute('aria-busy', 'true');
  });
  // Coming back with the Back button restores the page from memory: let it be sent again.
  window.addEventListener('pageshow', function (event) {
    if (!event.persisted) return;
    sent = new WeakSet();
    var forms = document.querySelectorAll('form[aria-busy]');
    for (var i = 0; i < forms.length; i++) forms[i].removeAttribute('aria-busy');
  });
})();
