import type {ChalkInstance} from 'chalk'

import type {Json} from '../render/json.js'
import {SCHEMA_VERSION} from '../schema-version.js'
import {CONFIG_FLAG, describeOrigin, isSetting, SECRET_SETTINGS} from './rules.js'
import type {ConfigFileInfo, Configuration, Resolution, Setting, Source} from './types.js'

/**
 * The effective settings of a run, each with where it came from: the command line when
 * given there, else the layer the resolution found it in, else the flag's default.
 * `names` are the command's flags in order, `given` what the command line gave, `flags`
 * the parsed values.
 */
export function describeConfiguration(
  names: readonly string[],
  given: Readonly<Record<string, unknown>>,
  resolution: Resolution,
  flags: Readonly<Record<string, unknown>>,
): Configuration {
  const settings = names
    .filter((name) => isSetting(name) && name !== CONFIG_FLAG)
    .map((name): Setting => {
      const source: Source = Object.hasOwn(given, name) ? {kind: 'flag', flag: name} : (resolution.values[name]?.source ?? {kind: 'default'})
      return {name, value: flags[name], source}
    })
  return {settings, ...(resolution.dotenv === undefined ? {} : {dotenv: resolution.dotenv}), configFile: resolution.configFile}
}

const HIDDEN = '(hidden)'
const SET_HIDDEN = '(set, hidden)'

/**
 * A setting's value as it may be shown: a secret is never shown, only whether it is set
 * (a token) or the header names (headers). Undefined (not set) is null.
 */
export function shownValue(setting: Setting): Json {
  const {value} = setting
  if (value === undefined || value === null) return null
  const secret = SECRET_SETTINGS[setting.name]
  if (secret === 'whole') return SET_HIDDEN
  if (Array.isArray(value)) return value.map((item) => (secret ? headerName(String(item)) : toJson(item)))
  // A header list given as one value: a string, whatever the source.
  // eslint-disable-next-line @typescript-eslint/no-base-to-string
  if (secret) return headerName(String(value))
  return toJson(value)
}

function headerName(header: string): string {
  const colon = header.indexOf(':')
  return colon > 0 ? `${header.slice(0, colon).trim()}: ${HIDDEN}` : HIDDEN
}

function toJson(value: unknown): Json {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? value : String(value)
}

/**
 * How the command would reach its server: through the proxy `url` (credentials hidden)
 * that the environment variable `variable` names, or directly (`url` null) because
 * `bypassedBy` (NO_PROXY) names the server or because no proxy is set.
 */
export interface ProxyReport {
  url: string | null
  variable: string | null
  bypassedBy: string | null
}

export interface ConfigDocument {
  schemaVersion: typeof SCHEMA_VERSION
  command: string
  files: {dotenv: string | null; config: ConfigFileInfo}
  settings: Record<string, {value: Json; source: Source; hidden?: true}>
  /** Null for a command that reaches no server, or when none is set. */
  proxy: ProxyReport | null
}

/** `gridsync config --json`: every setting of `command` with its shown value and source, and the proxy. */
export function configDocument(command: string, configuration: Configuration, proxy: ProxyReport | null = null): ConfigDocument {
  const settings: ConfigDocument['settings'] = {}
  for (const setting of configuration.settings) {
    settings[setting.name] = {
      value: shownValue(setting),
      source: setting.source,
      ...(Object.hasOwn(SECRET_SETTINGS, setting.name) ? {hidden: true as const} : {}),
    }
  }

  return {schemaVersion: SCHEMA_VERSION, command, files: {dotenv: configuration.dotenv ?? null, config: configuration.configFile}, settings, proxy}
}

function valueText(value: Json): string {
  if (value === null) return '(not set)'
  if (Array.isArray(value)) return value.length === 0 ? '(none)' : value.map((item) => valueText(item)).join(', ')
  return typeof value === 'object' ? JSON.stringify(value) : String(value)
}

function configFileText(file: ConfigFileInfo): string {
  if (file.source.kind !== 'default') return `${file.path} (named by ${describeOrigin(file.source)})`
  return file.found ? `${file.path} (beside the maps directory)` : `none (no ${file.path} beside the maps directory)`
}

function proxyText(proxy: ProxyReport): string {
  if (proxy.url !== null) return `${proxy.url} (from ${proxy.variable})`
  if (proxy.bypassedBy !== null) return `none: ${proxy.bypassedBy} names the server (${proxy.variable} is set)`
  return 'none'
}

/** `gridsync config` for people: the files read and the proxy, then one aligned line per setting. */
export function renderConfiguration(command: string, configuration: Configuration, chalk: ChalkInstance, proxy: ProxyReport | null = null): string {
  const rows = configuration.settings.map((s) => [s.name, valueText(shownValue(s)), describeOrigin(s.source)] as const)
  const header = ['SETTING', 'VALUE', 'FROM'] as const
  const widths = [0, 1].map((i) => Math.max(header[i]?.length ?? 0, ...rows.map((row) => row[i]?.length ?? 0)))
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd()
  return [
    `Settings of gridsync ${command}; each comes from the first of: flag, environment, .env, configuration file, default.`,
    `.env file:           ${configuration.dotenv ?? 'none'}`,
    `Configuration file:  ${configFileText(configuration.configFile)}`,
    ...(proxy === null ? [] : [`Proxy:               ${proxyText(proxy)}`]),
    '',
    chalk.bold(line(header)),
    ...rows.map((row) => line(row)),
  ].join('\n')
}
