// System tests start servers and processes; their own waits carry the precise timeouts.
jest.setTimeout(180_000);
