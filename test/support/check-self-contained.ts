/**
 * `npm run lint:self-contained`: fails when a tracked file names a path outside the repository.
 * A user clones only this repository, so nothing may read from a sibling folder (the workplace's
 * `shared` beside it) or from a home directory.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** What names a place outside the clone. Built from parts so this file does not match itself. */
const OUTSIDE: Array<[RegExp, string]> = [
  [new RegExp(['\\.\\.', 'shared'].join('/')), 'a sibling folder of the repository'],
  [new RegExp(['/work', 'shared'].join('/')), 'the workplace folder'],
  [new RegExp(['(?:^|[\\s\'"`(=])~', '[\\w.-]'].join('/')), 'a home directory'],
  [new RegExp(['/home', '[a-z_][\\w-]*', ''].join('/')), 'a home directory'],
  [new RegExp(['/root', '[\\w.-]'].join('/')), "root's home directory"],
];

/** Binary and generated files that cannot name a path. */
const SKIP = /\.(pdf|png|jpe?g|gif|ico|woff2?|ttf)$|(^|\/)package-lock\.json$/;

export function findOutsidePaths(files: Array<{ file: string; text: string }>): string[] {
  const problems: string[] = [];
  for (const { file, text } of files) {
    text.split('\n').forEach((line, i) => {
      for (const [pattern, what] of OUTSIDE) {
        if (pattern.test(line)) problems.push(`${file}:${i + 1}: names ${what}: ${line.trim().slice(0, 120)}`);
      }
    });
  }
  return problems;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const listed = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root })
    .toString('utf8')
    .split('\0')
    .filter((f) => f && !SKIP.test(f));
  const files = listed.flatMap((file) => {
    try {
      return [{ file, text: readFileSync(path.join(root, file), 'utf8') }];
    } catch {
      return []; // listed by git but deleted in the work tree
    }
  });
  const problems = findOutsidePaths(files);
  if (problems.length > 0) {
    console.error(
      `These files name paths outside the repository (a clone has nothing beside it):\n${problems.join('\n')}`,
    );
    process.exit(1);
  }
  console.log(`self-contained: ${files.length} files name no path outside the repository`);
}
