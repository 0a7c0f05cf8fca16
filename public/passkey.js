// The passkey step's ceremony: ask the hook for options, let the browser create or use a passkey,
// send the answer back, and go where the hook says. Without this file (or JavaScript) the page
// says that a passkey needs it, and Decline still works as a plain form.
(function () {
  'use strict';
  var root = document.querySelector('[data-passkey-root]');
  if (!root) return;
  var button = root.querySelector('[data-passkey="start"]');
  var status = document.getElementById('passkey-status');
  var problem = document.getElementById('passkey-problem');
  var problemText = document.getElementById('passkey-problem-text');
  var webauthn = window.SimpleWebAuthnBrowser;

  function message(name) {
    return root.getAttribute('data-message-' + name.toLowerCase()) || '';
  }
  var noneHere = document.getElementById('passkey-none-here');
  function showProblem(text, onNoDevice) {
    status.textContent = '';
    problemText.textContent = text;
    if (noneHere) noneHere.hidden = !onNoDevice;
    problem.hidden = false;
    problem.focus();
  }
  /** A failure of one try: its words for the user; `noneHere` when this device may hold none of the subject's passkeys. */
  function Problem(text, noneHere) {
    this.text = text;
    this.noneHere = noneHere === true;
  }

  if (!webauthn || !webauthn.browserSupportsWebAuthn()) {
    showProblem(message('unsupported'));
    return;
  }

  function post(action, body) {
    return fetch(root.getAttribute('data-action') + '/' + action, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRF-Token': root.getAttribute('data-csrf') },
      body: JSON.stringify(body),
    }).then(
      function (response) {
        return response.json().then(
          function (answer) {
            return answer;
          },
          function () {
            return {};
          },
        );
      },
      function () {
        throw new Problem(message('network'));
      },
    );
  }

  /** The journey moved on (or ended): follow it. A refusal of the interaction itself is best explained by its own page. */
  function follow(answer) {
    if (typeof answer.location === 'string') {
      window.location.assign(answer.location);
      return true;
    }
    if (typeof answer.error === 'string' && answer.error.indexOf('interaction_') === 0) {
      window.location.reload();
      return true;
    }
    return false;
  }

  function ceremony(answer) {
    var run = answer.ceremony === 'register' ? webauthn.startRegistration : webauthn.startAuthentication;
    return run({ optionsJSON: answer.options }).then(null, function (error) {
      // NotAllowedError: the user cancelled, the prompt timed out, or (when using a passkey) this
      // device holds none of those the hook listed; the browser does not say which, so the words
      // for a passkey in use name the likeliest of them (another device) and the others too.
      var name = error && error.name;
      if (name !== 'NotAllowedError' && name !== 'AbortError') throw new Problem(message('notAccepted'));
      if (answer.ceremony === 'register') throw new Problem(message('cancelled'));
      throw new Problem(message('noneHere'), true);
    });
  }

  var busy = false;
  button.hidden = false;
  button.addEventListener('click', function () {
    if (busy) return;
    busy = true;
    button.setAttribute('aria-disabled', 'true');
    problem.hidden = true;
    status.textContent = message('working');
    post('options', {})
      .then(function (answer) {
        if (follow(answer)) return;
        if (!answer.options) throw new Problem(answer.message || message('notAccepted'));
        return ceremony(answer)
          .then(function (response) {
            return post('verify', { response: response });
          })
          .then(function (verdict) {
            if (!follow(verdict)) throw new Problem(verdict.message || message('notAccepted'));
          });
      })
      .then(null, function (error) {
        showProblem(error instanceof Problem ? error.text : message('notAccepted'), error instanceof Problem && error.noneHere);
      })
      .then(function () {
        busy = false;
        button.removeAttribute('aria-disabled');
      });
  });
})();
