import type { TextSink } from './cli-io';

/** The width help is wrapped to: the terminal's, else 80 (a pipe, a file, a test). */
export function helpWidth(sink: TextSink): number {
  return sink.isTTY === true && sink.columns !== undefined && sink.columns > 0 ? sink.columns : 80;
}

/**
 * Wraps each line of `text` at spaces to `width` columns, continuation lines indented like the line they
 * continue; a word longer than the width stays whole. Help is written one paragraph a line and wrapped
 * here, so it fits the terminal it is printed on rather than the editor it was written in.
 */
export function wrapText(text: string, width: number): string {
  return text
    .split('\n')
    .map((line) => {
      const indent = /^ */.exec(line)![0];
      const words = line.slice(indent.length).split(/ +/).filter((w) => w !== '');
      const lines: string[] = [];
      let current = indent;
      for (const word of words) {
        if (current.trim() !== '' && current.length + 1 + word.length > width) {
          lines.push(current);
          current = `${indent}  ${word}`;
        } else current = current.trim() === '' ? `${indent}${word}` : `${current} ${word}`;
      }
      lines.push(current);
      return lines.join('\n');
    })
    .join('\n');
}
