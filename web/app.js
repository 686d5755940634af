// The application shell's script: asks the server how it is and shows the
// version in the footer.  The UI issue replaces the contents of <main id="app">.

const statusEl = document.getElementById('server-status');

function show(text, cls) {
  statusEl.textContent = text;
  statusEl.className = cls;
}

async function checkHealth() {
  try {
    const res = await fetch('/health', { headers: { Accept: 'application/json' } });
    const body = await res.json();
    if (res.ok && body.status === 'ok') {
      show(`dxfquote ${body.version}, running`, 'ok');
    } else {
      const parts = Array.isArray(body.failing) ? body.failing.join(', ') : 'unknown';
      show(`dxfquote ${body.version ?? ''} needs attention: ${parts}`, 'fail');
    }
  } catch (err) {
    show('not reachable', 'fail');
  }
}

checkHealth();
