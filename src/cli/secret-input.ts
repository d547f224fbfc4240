import type { Readable } from 'node:stream';
import type { Session } from './session';
import { UsageError } from './exit-codes';

/**
 * A password for passwd and user add/set: never an argument (it would sit in `ps` and shell history). On a
 * terminal it is asked twice without echo; otherwise it is the first line of stdin (`echo … | replicat passwd`).
 */
export async function readNewPassword(session: Session, whose: string): Promise<string> {
  const stdin = session.io.stdin as Readable & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  if (stdin.isTTY === true && stdin.setRawMode !== undefined) {
    const first = await askHidden(session, stdin, `New password for ${whose}: `);
    const second = await askHidden(session, stdin, 'Again: ');
    if (first !== second) throw new UsageError('the two passwords differ');
    return first;
  }
  const line = await firstLine(stdin);
  if (line === '') throw new UsageError('no password on stdin (give it as the first line)');
  return line;
}

async function firstLine(stream: Readable): Promise<string> {
  let text = '';
  for await (const chunk of stream) {
    text += typeof chunk === 'string' ? chunk : (chunk as Buffer).toString('utf8');
    if (text.includes('\n')) break;
  }
  return text.split(/\r?\n/)[0]!;
}

function askHidden(session: Session, stdin: Readable & { setRawMode?: (raw: boolean) => unknown }, prompt: string): Promise<string> {
  session.io.stderr.write(prompt);
  stdin.setRawMode!(true);
  stdin.resume();
  return new Promise((resolve, reject) => {
    let typed = '';
    const done = (error?: Error): void => {
      stdin.off('data', onData);
      stdin.setRawMode!(false);
      stdin.pause();
      session.io.stderr.write('\n');
      if (error !== undefined) reject(error);
      else resolve(typed);
    };
    const onData = (chunk: Buffer | string): void => {
      for (const char of typeof chunk === 'string' ? chunk : chunk.toString('utf8')) {
        if (char === '\r' || char === '\n') return done();
        if (char === '\u0003') return done(new UsageError('cancelled'));
        if (char === '\u007f' || char === '\b') typed = typed.slice(0, -1);
        else typed += char;
      }
    };
    stdin.on('data', onData);
  });
}
