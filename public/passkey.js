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
  function showProblem(text) {
    status.textContent = '';
    problemText.textContent = text;
    problem.hidden = false;
    problem.focus();
  }
  /** A failure of one try: its words for the user. */
  function Problem(text) {
    this.text = text;
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
      // NotAllowedError: the user cancelled, or the prompt timed out; the browser does not say which.
      var name = error && error.name;
      throw new Problem(message(name === 'NotAllowedError' || name === 'AbortError' ? 'cancelled' : 'notAccepted'));
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
        showProblem(error instanceof Problem ? error.text : message('notAccepted'));
      })
      .then(function () {
        busy = false;
        button.removeAttribute('aria-disabled');
      });
  });
})();
