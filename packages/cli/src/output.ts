/** Where the CLI prints for people: plain lines on stdout (logs go to stderr as JSON). */
export interface Output {
  step(title: string): void;
  line(text: string): void;
}

export function consoleOutput(stream: NodeJS.WritableStream = process.stdout): Output {
  return {
    step: (title) => stream.write(`\n== ${title}\n`),
    line: (text) => stream.write(`   ${text}\n`),
  };
}
