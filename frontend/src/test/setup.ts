import '@testing-library/jest-dom/vitest';
import { cleanup, configure } from '@testing-library/react';
import { afterEach } from 'vitest';

// findBy*/waitFor give up after 1 s by default; a busy 2-core CI machine
// renders a profile slower than that, and the tests flaked there (at 5 s
// too, once, with other builds running beside them).
configure({ asyncUtilTimeout: 10_000 });

afterEach(() => {
  cleanup();
});
