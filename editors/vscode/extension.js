// The VS Code side of protolint: start `protolint server` for prototxt files and pass the
// settings along. Everything else (diagnostics, fixes, hover, completion, navigation, inlay
// hints) comes from the server.
const vscode = require('vscode');
const { LanguageClient } = require('vscode-languageclient/node');

let client;

function settings() {
  const config = vscode.workspace.getConfiguration('protolint');
  const keys = ['select', 'ignore', 'extraLayerTypes', 'proto', 'caffeVersion', 'pretrained', 'config', 'inlayHints'];
  const found = {};
  for (const key of keys) {
    const value = config.get(key);
    if (value !== null && value !== undefined && !(Array.isArray(value) && value.length === 0)) {
      found[key] = value;
    }
  }
  return found;
}

async function start() {
  const [command, ...args] = vscode.workspace.getConfiguration('protolint').get('server.command', ['protolint', 'server']);
  client = new LanguageClient('protolint', 'protolint', { command, args }, {
    documentSelector: [
      { scheme: 'file', language: 'prototxt' },
      { scheme: 'untitled', language: 'prototxt' },
    ],
    initializationOptions: { settings: settings() },
    synchronize: { configurationSection: 'protolint' },
    diagnosticPullOptions: { onChange: true, onSave: true },
  });
  await client.start();
}

async function restart() {
  if (client) {
    await client.stop();
  }
  await start();
}

exports.activate = async (context) => {
  context.subscriptions.push(vscode.commands.registerCommand('protolint.restart', restart));
  context.subscriptions.push(vscode.workspace.onDidChangeConfiguration((event) => {
    if (event.affectsConfiguration('protolint.server.command')) {
      restart();
    }
  }));
  await start();
};

exports.deactivate = () => (client ? client.stop() : undefined);
