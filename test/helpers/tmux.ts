/**
 * A real terminal for tests of interactive commands: a tmux server of the test's own (its own
 * socket, so no other tmux is touched) running one shell, whose screen is read as text.
 */
import { execFile } from 'node:child_process';
import { uniqueName } from './names';

function tmux(socket: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile('tmux', ['-L', socket, ...args], { timeout: 10_000 }, (err, stdout, stderr) => {
      if ((err as { code?: unknown } | null)?.code === 'ENOENT') reject(new Error('tmux not found: install Debian\'s tmux package (scripts/test does)'));
      else if (err) reject(new Error(`tmux ${args.join(' ')}: ${stderr || err.message}`));
      else resolve(stdout);
    }),
  );
}

export class TmuxTerminal {
  private readonly socket = uniqueName('wharf-tmux');

  /** Opens a `columns` x `rows` terminal running a plain shell. */
  async open(columns: number, rows: number): Promise<void> {
    await tmux(this.socket, ['-f', '/dev/null', 'new-session', '-d', '-s', 'main', '-x', String(columns), '-y', String(rows), 'env', 'PS1=$ ', 'bash', '--norc', '--noprofile']);
  }

  /** Types `keys` (tmux key names, e.g. "q", "Enter", "C-c"). */
  async send(...keys: string[]): Promise<void> {
    await tmux(this.socket, ['send-keys', '-t', 'main', ...keys]);
  }

  /** The visible screen as text lines. */
  async screen(): Promise<string> {
    return tmux(this.socket, ['capture-pane', '-p', '-t', 'main']);
  }

  /** Whether the program shows its alternate screen (a full-screen view like top or less). */
  async alternateScreen(): Promise<boolean> {
    return (await tmux(this.socket, ['display-message', '-p', '-t', 'main', '#{alternate_on}'])).trim() === '1';
  }

  /** Polls the screen until `accept` holds; fails with the last screen after `timeoutMs`. */
  async waitForScreen(accept: (screen: string) => boolean, timeoutMs: number, what: string): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const screen = await this.screen();
      if (accept(screen)) return screen;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; the screen:\n${screen}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  async close(): Promise<void> {
    await tmux(this.socket, ['kill-server']).catch(() => undefined);
  }
}
