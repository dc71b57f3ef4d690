import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createCompatProvider } from './compat.js';
import { ProviderError } from './errors.js';
import { parseModelId } from './model-id.js';
import { Scheduler, type Clock, type SchedulerEvent, type SchedulerOptions } from './scheduler.js';
import { inOrder, startOpenAIServer, type OpenAIRespond, type OpenAIReply } from '../../test/support/openai-server.js';
import { startDroppingServer } from '../../test/support/dropping-server.js';

/**
 * A clock whose sleeps return at once but move time on, recording each wait. Sleeps that would
 * overlap in real time add up here, so tests compare waits, not absolute times, when requests
 * run side by side.
 */
function fakeClock(random: () => number = () => 0.5): Clock & { sleeps: number[]; t: number } {
  const clock = {
    t: 1_000_000,
    sleeps: [] as number[],
    now: () => clock.t,
    sleep: async (ms: number) => {
      clock.sleeps.push(ms);
      clock.t += ms;
    },
    random,
  };
  return clock;
}

async function setup(t: TestContext, respond: OpenAIRespond, options: SchedulerOptions = {}) {
  const server = await startOpenAIServer({ respond });
  t.after(() => server.close());
  const ref = parseModelId(`compat:${server.baseURL}#m`);
  if (ref.scheme !== 'compat') throw new Error('unreachable');
  const events: SchedulerEvent[] = [];
  const clock = fakeClock();
  const scheduler = new Scheduler(createCompatProvider(ref, { env: {} }), { clock, onEvent: (e) => events.push(e), ...options });
  return { server, scheduler, events, clock };
}

const ask = (s: Scheduler, signal?: AbortSignal) => s.chat({ messages: [{ role: 'user', content: 'hi' }] }, signal ? { signal } : {});

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => assert.fail('expected the call to fail'),
    (err: unknown) => err,
  );
}

const ok: OpenAIReply = { choices: [{ text: 'ok' }] };

test('retryable failures are retried until a reply comes, with a retry event each time', async (t) => {
  const { server, scheduler, events } = await setup(t, inOrder([{ fault: 'error', status: 500 }, { fault: 'null_content' }, { fault: 'reset' }, ok]));
  const res = await ask(scheduler);
  assert.equal(res.completions[0]?.text, 'ok');
  assert.equal(server.chatBodies().length, 4);
  assert.deepEqual(
    events.map((e) => (e.type === 'retry' ? `${e.attempt}:${e.error.kind}` : e.type)),
    ['1:server', '2:bad_response', '3:network'],
  );
});

test('backoff doubles from the base with full jitter and is capped', async (t) => {
  const { server, scheduler, clock, events } = await setup(t, () => ({ fault: 'error', status: 503 }), { baseDelayMs: 1000, maxDelayMs: 5000, maxAttempts: 6 });
  const err = await rejection(ask(scheduler));
  // random() = 0.5: half of min(cap, base * 2^(k-1)).
  assert.deepEqual(clock.sleeps, [500, 1000, 2000, 2500, 2500]);
  assert.equal(server.chatBodies().length, 6);
  assert.ok(err instanceof ProviderError);
  assert.equal(err.kind, 'server');
  assert.match(err.message, /server error 503 .*\(gave up after 6 attempts\)$/);
  const last = events.at(-1);
  assert.equal(last?.type, 'gave_up');
  assert.equal(last?.type === 'gave_up' ? last.attempts : 0, 6);
});

test('the jitter spreads waits over [0, ceiling)', async (t) => {
  const randoms = [0, 0.999, 0.25];
  const clock = fakeClock(() => randoms.shift() ?? 0);
  const { scheduler } = await setup(t, inOrder([{ fault: 'error', status: 500 }, { fault: 'error', status: 500 }, { fault: 'error', status: 500 }, ok]), { clock });
  await ask(scheduler);
  // Ceilings 1000, 2000, 4000 ms.
  assert.deepEqual(clock.sleeps, [0, 1998, 1000]);
});

test('Retry-After is waited exactly, and holds the other requests of the provider too', async (t) => {
  const clock = fakeClock();
  const { server, scheduler, events } = await setup(
    t,
    inOrder([{ fault: 'rate_limit', retryAfterSeconds: 7 }, { fault: 'rate_limit', retryAfterMs: 250 }, ok]),
    { clock, concurrency: 1 },
  );
  const started = clock.t;
  await ask(scheduler);
  assert.deepEqual(clock.sleeps, [7000, 250]);
  assert.equal(clock.t - started, 7250);
  assert.equal(server.chatBodies().length, 3);
  const limited = events.filter((e) => e.type === 'rate_limited');
  assert.deepEqual(limited.map((e) => (e.type === 'rate_limited' ? e.retryAfterMs : -1)), [7000, 250]);

  // A request queued during a hold is not sent before the hold ends.
  const arrivals: number[] = [];
  const script = inOrder([{ fault: 'rate_limit', retryAfterSeconds: 30 }, ok]);
  server.respond = (body, ctx) => {
    arrivals.push(clock.t);
    return script(body, ctx);
  };
  const holdStart = clock.t;
  const before = clock.sleeps.length;
  await Promise.all([ask(scheduler), ask(scheduler)]);
  // Two waits of 30 s: the limited request's own, and the queued request's wait for the hold
  // (without the hold it would have been sent at once, at holdStart).
  assert.deepEqual(clock.sleeps.slice(before), [30000, 30000]);
  assert.equal(arrivals.length, 3);
  assert.equal(arrivals[0], holdStart);
  assert.ok(arrivals.slice(1).every((at) => at >= holdStart + 30000), `sent during the hold: ${arrivals.map((a) => a - holdStart)}`);
});

test('a Retry-After longer than emlab waits fails the request at once, naming the wait, and holds nothing', async (t) => {
  const clock = fakeClock();
  const { server, scheduler, events } = await setup(t, inOrder([{ fault: 'rate_limit', retryAfterSeconds: 3600 }, ok]), { clock, concurrency: 1, maxRetryAfterMs: 600_000 });
  const err = await rejection(ask(scheduler));
  assert.ok(err instanceof ProviderError);
  assert.equal(err.kind, 'rate_limit');
  assert.match(err.message, /asked to wait 3600 s, longer than the 600 s emlab waits: run again later/);
  assert.deepEqual(clock.sleeps, []);
  assert.equal(events.filter((e) => e.type === 'gave_up').length, 1);
  // The next request is sent at once, not after an hour.
  await ask(scheduler);
  assert.deepEqual(clock.sleeps, []);
  assert.equal(server.chatBodies().length, 2);
});

test('a server that refuses every connection is declared down after a run of failures: the rest fail at once', async () => {
  // A port that was free a moment ago: connections to it are refused.
  const probe = await startOpenAIServer();
  const url = probe.baseURL;
  await probe.close();
  const ref = parseModelId(`compat:${url}#m`);
  if (ref.scheme !== 'compat') throw new Error('unreachable');
  const events: SchedulerEvent[] = [];
  const scheduler = new Scheduler(createCompatProvider(ref, { env: {} }), { clock: fakeClock(), concurrency: 4, maxAttempts: 6, unreachableAfter: 5, onEvent: (e) => events.push(e) });
  const results = await Promise.allSettled(Array.from({ length: 30 }, () => ask(scheduler)));
  for (const r of results) {
    assert.equal(r.status, 'rejected');
    const reason: unknown = r.status === 'rejected' ? r.reason : undefined;
    assert.ok(reason instanceof ProviderError);
    assert.ok(reason.kind === 'unreachable' || reason.kind === 'network', reason.kind);
  }
  assert.ok(results.filter((r) => r.status === 'rejected' && (r.reason as ProviderError).kind === 'unreachable').length >= 25);
  assert.match(((results.at(-1) as PromiseRejectedResult).reason as Error).message, /connection failures in a row: is the server running and the URL right\?/);
  // Far fewer attempts than 30 requests x 6 tries.
  assert.ok(events.filter((e) => e.type === 'retry').length < 20, `${events.filter((e) => e.type === 'retry').length} retries`);
});

test('non-retryable errors are not retried', async (t) => {
  const { server, scheduler, events } = await setup(t, () => ({ fault: 'error', status: 400, message: 'bad field' }));
  const err = await rejection(ask(scheduler));
  assert.ok(err instanceof ProviderError);
  assert.equal(err.kind, 'client');
  assert.doesNotMatch(err.message, /gave up after/);
  assert.equal(server.chatBodies().length, 1);
  assert.deepEqual(events.map((e) => e.type), ['gave_up']);
});

test('at most `concurrency` requests are in flight at once', async (t) => {
  const { server, scheduler } = await setup(t, () => ({ ...ok, delayMs: 25 }), { concurrency: 3 });
  await Promise.all(Array.from({ length: 10 }, () => ask(scheduler)));
  assert.equal(server.chatBodies().length, 10);
  assert.equal(server.maxInFlight, 3);
});

test('a wave of 429s halves the limit once, and successes grow it back to the start', async (t) => {
  const inFlightAtArrival: number[] = [];
  const { server, scheduler, events } = await setup(
    t,
    (_body, ctx) => {
      inFlightAtArrival.push(server.inFlight);
      // The first four requests (sent together) are all rate limited; then every reply is slow but fine.
      return ctx.index < 4 ? { fault: 'rate_limit', delayMs: 100 } : { ...ok, delayMs: 20 };
    },
    { concurrency: 4, successesToGrow: 2 },
  );
  await Promise.all(Array.from({ length: 4 }, () => ask(scheduler)));
  assert.deepEqual(
    scheduler.limitHistory.map((c) => `${c.reason}:${c.limit}`),
    ['start:4', 'rate_limit:2', 'recovered:3', 'recovered:4'],
  );
  assert.equal(scheduler.limit, 4);
  assert.deepEqual(inFlightAtArrival.slice(0, 4).sort(), [1, 2, 3, 4]);
  assert.ok(Math.max(...inFlightAtArrival.slice(4, 6)) <= 2, `after the cut at most 2 at once, saw ${inFlightAtArrival}`);
  assert.equal(events.filter((e) => e.type === 'rate_limited').length, 4);
  const changes = events.filter((e) => e.type === 'limit_changed');
  assert.deepEqual(changes.map((e) => (e.type === 'limit_changed' ? [e.from, e.to] : [])), [
    [4, 2],
    [2, 3],
    [3, 4],
  ]);
  assert.ok(scheduler.limitHistory.every((c, i, all) => i === 0 || c.at >= all[i - 1]!.at));
});

test('repeated 429s cut the limit down to 1 and no further', async (t) => {
  const { scheduler } = await setup(t, inOrder([...Array.from({ length: 5 }, (): OpenAIReply => ({ fault: 'rate_limit' })), ok]), { concurrency: 8, successesToGrow: 100 });
  await ask(scheduler);
  assert.deepEqual(scheduler.limitHistory.map((c) => c.limit), [8, 4, 2, 1]);
  assert.equal(scheduler.limit, 1);
});

test('a hanging reply times out per attempt and is retried, then given up', async (t) => {
  const { server, scheduler } = await setup(t, () => ({ fault: 'hang' }), { timeoutMs: 100, maxAttempts: 2 });
  const started = Date.now();
  const err = await rejection(ask(scheduler));
  assert.ok(err instanceof ProviderError);
  assert.equal(err.kind, 'timeout');
  assert.match(err.message, /no reply within 0\.1 s \(gave up after 2 attempts\)/);
  assert.equal(server.chatBodies().length, 2);
  assert.ok(Date.now() - started < 2000);
});

test('a fatal error fails the queued requests at once, without sending them', async (t) => {
  const { server, scheduler } = await setup(t, () => ({ fault: 'error', status: 401, message: 'invalid key', delayMs: 20 }), { concurrency: 1 });
  const results = await Promise.allSettled(Array.from({ length: 5 }, () => ask(scheduler)));
  assert.equal(server.chatBodies().length, 1);
  for (const r of results) {
    assert.equal(r.status, 'rejected');
    const reason: unknown = r.status === 'rejected' ? r.reason : undefined;
    assert.ok(reason instanceof ProviderError);
    assert.equal(reason.kind, 'auth');
    assert.match(reason.message, /invalid key/);
  }
  // Later requests too.
  await rejection(ask(scheduler));
  assert.equal(server.chatBodies().length, 1);
});

test('a caller abort is not retried and ends queued and sleeping requests', async (t) => {
  const { server, scheduler } = await setup(t, () => ({ fault: 'hang' }), { concurrency: 1, timeoutMs: 10_000 });
  const controller = new AbortController();
  const running = ask(scheduler, controller.signal);
  const queued = ask(scheduler, controller.signal);
  // Wait for the first request to reach the server (not a fixed delay: the machine may be busy).
  while (server.chatBodies().length < 1) await new Promise((r) => setTimeout(r, 5));
  controller.abort(new Error('user pressed ctrl-c'));
  for (const p of [running, queued]) {
    const err = await rejection(p);
    assert.ok(err instanceof Error);
    assert.equal(err.message, 'user pressed ctrl-c');
  }
  assert.equal(server.chatBodies().length, 1);
});

test('with the real clock, a caller abort during a backoff wait ends it at once with the caller\'s reason', async (t) => {
  const server = await startOpenAIServer({ respond: () => ({ fault: 'error', status: 500 }) });
  t.after(() => server.close());
  const ref = parseModelId(`compat:${server.baseURL}#m`);
  if (ref.scheme !== 'compat') throw new Error('unreachable');
  const scheduler = new Scheduler(createCompatProvider(ref, { env: {} }), { baseDelayMs: 60_000, clock: { random: () => 0.9 } });
  const controller = new AbortController();
  const started = Date.now();
  const pending = ask(scheduler, controller.signal);
  setTimeout(() => controller.abort(new Error('stop now')), 100);
  const err = await rejection(pending);
  assert.ok(err instanceof Error);
  assert.equal(err.message, 'stop now');
  assert.ok(Date.now() - started < 2000);
  assert.equal(server.chatBodies().length, 1);
});

test('scheduler options are checked', () => {
  const ref = parseModelId('compat:http://127.0.0.1:9/v1#m');
  if (ref.scheme !== 'compat') throw new Error('unreachable');
  const provider = createCompatProvider(ref, { env: {} });
  assert.throws(() => new Scheduler(provider, { concurrency: 0 }), /concurrency must be a whole number >= 1, got 0/);
  assert.throws(() => new Scheduler(provider, { maxAttempts: 1.5 }), /maxAttempts/);
});

test('connections a server drops as they are reused are retried and never taken for a server that is down', async (t) => {
  // 16 requests open 16 connections; every later request reuses one, which the server drops: 16
  // network failures in a row, the symptom that stopped runs at 256 in flight as "unreachable".
  const server = await startDroppingServer();
  t.after(() => server.close());
  const ref = parseModelId(`compat:${server.baseURL}#m`);
  if (ref.scheme !== 'compat') throw new Error('unreachable');
  const events: SchedulerEvent[] = [];
  const scheduler = new Scheduler(createCompatProvider(ref, { env: {} }), { clock: fakeClock(), concurrency: 16, maxAttempts: 20, unreachableAfter: 4, onEvent: (e) => events.push(e) });
  for (let wave = 0; wave < 3; wave++) {
    const replies = await Promise.all(Array.from({ length: 16 }, () => ask(scheduler)));
    assert.deepEqual(replies.map((r) => r.completions[0]?.text), Array(16).fill('ok'));
  }
  const retries = events.filter((e) => e.type === 'retry');
  assert.ok(retries.length >= 4, `${retries.length} retries: the server dropped reused connections`);
  assert.ok(retries.every((e) => e.type === 'retry' && e.error.kind === 'network' && e.error.reusedConnection));
});
