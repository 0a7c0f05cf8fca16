// The present-credential step's waiting page: ask the hook every two seconds whether the wallet has
// answered, and go where it says. Without this file the page's "continue" link does the same.
(function () {
  'use strict';
  var root = document.querySelector('[data-present-root]');
  if (!root) return;
  var stopped = false;

  function poll() {
    if (stopped) return;
    fetch(root.getAttribute('data-action') + '/status', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRF-Token': root.getAttribute('data-csrf') },
      body: '{}',
    })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (answer) {
        if (answer && typeof answer.location === 'string' && answer.location.charAt(0) === '/') {
          stopped = true;
          window.location.assign(answer.location);
          return;
        }
        setTimeout(poll, 2000);
      })
      .catch(function () {
        setTimeout(poll, 4000);
      });
  }
  setTimeout(poll, 1000);
})();
