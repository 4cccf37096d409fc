/**
 * The package's install script (`npm ci` runs it): builds the optional oneDNN addon where this machine can
 * (a C++ compiler, Node's headers, Debian's libdnnl-dev), says why not elsewhere, and never fails the
 * install: without the addon the emitted wasm kernels run.
 */
import { buildOnednnAddon } from '../src/kernels/onednn-addon.js';

try {
  const { built, error } = buildOnednnAddon();
  process.stdout.write(
    built
      ? '@cam/model: oneDNN addon built\n'
      : `@cam/model: oneDNN addon not built (${error}); the emitted wasm kernels will run\n`,
  );
} catch (err) {
  process.stdout.write(`@cam/model: oneDNN addon not built (${String(err)})\n`);
}
