/**
 * Two small reads of a process the tests started: a GET of one of its loopback endpoints (probes,
 * metrics) and the tail of its log file. Failure modes: `httpGet` rejects on a connection error and
 * after `timeoutMs` without an answer; `logTail` says `(no log)` for a file it cannot read.
 */
import { readFile } from 'node:fs/promises';
import { get, type IncomingHttpHeaders } from 'node:http';

/** GET `url`; resolves with any status, the headers and the body as text. */
export function httpGet(
  url: string,
  timeoutMs = 2_000,
): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = get(url, { timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
      });
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out`)));
  });
}

/** The last `lines` lines of a log file. */
export async function logTail(file: string, lines = 30): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
