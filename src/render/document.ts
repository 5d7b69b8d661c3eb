/**
 * Every `--json` document of diff, push, pull and validate states the exit code of its
 * run at the top, right after `schemaVersion`, so a script can read the outcome from the
 * document alone. The error document (`status`, `exitCode`, `error`) has it too.
 */
export function withExitCode<T extends {schemaVersion: number}>(doc: T, exitCode: number): {schemaVersion: T['schemaVersion']; exitCode: number} & Omit<T, 'schemaVersion'> {
  const {schemaVersion, ...rest} = doc
  return {schemaVersion, exitCode, ...rest}
}
