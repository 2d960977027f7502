import type { Command } from 'commander';

export function registerBuild(program: Command): void {
  program.command('build').description('Build a tree in the plain, asan and tsan variants');
}
