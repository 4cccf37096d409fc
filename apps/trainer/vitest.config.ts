import { projectTestConfig } from '../../vitest.shared.js';

// The worker tests train real (tiny) runs in child processes on a shared 2-core machine.
export default projectTestConfig({ testTimeout: 180_000 });
