import { freePort } from './ports';

describe('freePort', () => {
  it('never hands out the same port twice in a row of calls (the OS alone sometimes does)', async () => {
    const ports: number[] = [];
    for (let i = 0; i < 300; i++) ports.push(await freePort());
    expect(new Set(ports).size).toBe(ports.length);
  });
});
