import { describe, expect, it } from 'vitest';
import { httpGetProbe } from '../src/probe.js';

describe('httpGetProbe', () => {
  it('is GET path on the port, then the timing as given', () => {
    const probe = httpGetProbe('/health', 'http', {
      initialDelaySeconds: 30,
      periodSeconds: 10,
      timeoutSeconds: 5,
      failureThreshold: 3,
    });
    expect(JSON.stringify(probe)).toBe(
      '{"httpGet":{"path":"/health","port":"http"},"initialDelaySeconds":30,"periodSeconds":10,' +
        '"timeoutSeconds":5,"failureThreshold":3}',
    );
  });

  it('takes a port number and leaves an absent initial delay to the apiserver', () => {
    expect(
      httpGetProbe('/readyz', 8080, { periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 18 }),
    ).toStrictEqual({
      httpGet: { path: '/readyz', port: 8080 },
      periodSeconds: 5,
      timeoutSeconds: 3,
      failureThreshold: 18,
    });
  });

  it('does not share the timing object', () => {
    const timing = { periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 3 };
    const probe = httpGetProbe('/', 'http', timing);
    probe.periodSeconds = 1;
    expect(timing.periodSeconds).toBe(5);
  });
});
