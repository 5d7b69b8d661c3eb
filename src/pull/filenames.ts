/**
 * File names for pulled maps. The slug and the name come from the server, so they are
 * treated as hostile: a file name is made only of `[a-z0-9-]` plus `.map`, is never a
 * reserved device name, never starts with a dot or a dash, is bounded in length, and
 * never equals (ignoring case) a name already in the directory or handed out before.
 */

import path from 'node:path'

import {slugify} from '../sandbox/slug.js'

export const MAP_EXTENSION = '.map'
/** Longest stem (file name without extension and suffix). */
export const MAX_STEM_LENGTH = 64
/** The stem used when neither the slug nor the name leaves anything usable. */
export const FALLBACK_STEM = 'map'

/** Names Windows reserves for devices, whatever the extension. */
const RESERVED_STEM = /^(?:con|prn|aux|nul|com[0-9]|lpt[0-9])$/

/**
 * The stem of a map's file: from the slug, else from the name, else "map". Either is
 * transliterated to ASCII, lowercased, every run of other characters made one dash,
 * dashes trimmed, cut to MAX_STEM_LENGTH; a reserved device name gets "-map" appended.
 */
export function fileStem(slug: string, name: string): string {
  const stem = cleanStem(slug) || cleanStem(name) || FALLBACK_STEM
  return RESERVED_STEM.test(stem) ? `${stem}-map` : stem
}

function cleanStem(text: string): string {
  return slugify(text).slice(0, MAX_STEM_LENGTH).replace(/-+$/, '')
}

/**
 * How a case-insensitive file system might see a name: compatibility-normalised and
 * case-folded, so that two names equal under this key are never both handed out.
 */
export function foldName(name: string): string {
  return name.normalize('NFKC').toUpperCase().toLowerCase()
}

/** Hands out distinct file names: `stem.map`, else `stem-2.map`, `stem-3.map`... */
export class FileNamer {
  private readonly taken = new Set<string>()

  /** `existing`: every entry of the directory (files, folders, hidden ones alike). */
  constructor(existing: Iterable<string> = []) {
    for (const name of existing) this.taken.add(foldName(name))
  }

  /** The first free name for this stem, marked as taken. */
  claim(stem: string): string {
    for (let n = 1; ; n++) {
      const fileName = `${stem}${n === 1 ? '' : `-${n}`}${MAP_EXTENSION}`
      if (this.isTaken(fileName)) continue
      this.taken.add(foldName(fileName))
      return fileName
    }
  }

  isTaken(fileName: string): boolean {
    return this.taken.has(foldName(fileName))
  }
}

/**
 * The absolute path of `fileName` in `dir`, after checking that it names an entry
 * directly inside `dir` (no separator, no drive or stream colon, no `..`, no NUL):
 * the last guard before writing.
 */
export function pathInside(dir: string, fileName: string): string {
  const root = path.resolve(dir)
  const target = path.resolve(root, fileName)
  const plain = fileName !== '' && fileName !== '.' && fileName !== '..' && !/[/\\:\0]/.test(fileName)
  if (!plain || path.dirname(target) !== root || path.basename(target) !== fileName) {
    throw new Error(`refusing to write "${fileName}": it is not a plain file name inside ${root}`)
  }
  return target
}
