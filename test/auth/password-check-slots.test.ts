import { PasswordCheckSlots } from '../../src/auth/password-check-slots';
import { TooManyRequests } from '../../src/core/errors';

/** A check that ends when the test says so. */
function pending(): { promise: Promise<string>; finish: (value: string) => void } {
  let finish!: (value: string) => void;
  const promise = new Promise<string>((resolve) => (finish = resolve));
  return { promise, finish };
}

describe('password check slots', () => {
  it('runs at most `concurrency` checks, queues a bounded number, and refuses the rest at once', async () => {
    const slots = new PasswordCheckSlots(1, 1);
    const first = pending();
    const second = pending();
    let secondStarted = false;
    const running = slots.run(() => first.promise);
    const queued = slots.run(() => ((secondStarted = true), second.promise));
    expect(slots.queued).toBe(1);
    await expect(slots.run(() => Promise.resolve('never'))).rejects.toBeInstanceOf(TooManyRequests);
    expect(slots.started).toBe(1);
    expect(secondStarted).toBe(false);
    first.finish('a');
    expect(await running).toBe('a');
    await new Promise((resolve) => setImmediate(resolve));
    expect(secondStarted).toBe(true);
    second.finish('b');
    expect(await queued).toBe('b');
    expect(slots.started).toBe(2);
    expect(await slots.run(() => Promise.resolve('c'))).toBe('c');
  });

  it('frees the slot when a check fails', async () => {
    const slots = new PasswordCheckSlots(1, 0);
    await expect(slots.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await slots.run(() => Promise.resolve('ok'))).toBe('ok');
  });

  it('says how long to wait when it refuses', async () => {
    const slots = new PasswordCheckSlots(1, 0);
    const first = pending();
    const running = slots.run(() => first.promise);
    const refused = await slots.run(() => Promise.resolve('x')).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(TooManyRequests);
    expect((refused as TooManyRequests).retryAfterSeconds).toBe(1);
    first.finish('done');
    await running;
  });
});
