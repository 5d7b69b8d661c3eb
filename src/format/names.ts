import {codePointLength, MAX_NAME_LENGTH} from '../model/types.js'

const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u
const LINE_BREAK = /[\n\r]/
const LONE_SURROGATE = /\p{Cs}/u

/**
 * What is wrong with a map or observer name as the server and the file format see
 * it, as the end of a sentence ("... is empty"), or undefined when it is fine.
 */
export function nameProblem(name: string): string | undefined {
  if (name === '') return 'is empty'
  if (LINE_BREAK.test(name)) return 'contains a line break'
  if (LONE_SURROGATE.test(name)) return 'contains a broken character (an unpaired UTF-16 surrogate)'
  const length = codePointLength(name)
  if (length > MAX_NAME_LENGTH) return `is ${length} characters long; at most ${MAX_NAME_LENGTH} are allowed`
  if (!LETTER_OR_DIGIT.test(name)) return 'has no letter or digit'
  return undefined
}
