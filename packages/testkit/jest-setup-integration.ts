// Runs before each integration test file: real brokers need more than Jest's 5 s default
// (testTimeout is a global option in Jest, so a project sets it here).
import { jest } from '@jest/globals';

jest.setTimeout(120_000);
