import assert from 'node:assert/strict'
import {readdirSync} from 'node:fs'
import {describe, it} from 'node:test'

import type {Command} from '@oclif/core/command'

import {commandFlags, envName, isSetting} from '../../../src/config/index.js'
import {suggestion} from '../../../src/hooks/command-not-found.js'

const COMMANDS = readdirSync(new URL('../../../src/commands/', import.meta.url)).filter((f) => f.endsWith('.ts'))

describe('setting flags name their variable', () => {
  for (const file of COMMANDS) {
    it(`every setting of ${file} shows GRIDSYNC_<NAME> in help, and only settings do`, async () => {
      const command = (await import(`../../../src/commands/${file}`)).default as typeof Command
      const flags = commandFlags(command)
      assert.ok(Object.keys(flags).length > 0)
      for (const [name, flag] of Object.entries(flags)) {
        assert.equal(flag.env, isSetting(name) ? envName(name) : undefined, `--${name}`)
      }
    })
  }
})

describe('the suggestion for an unknown command', () => {
  const ids = ['config', 'diff', 'pull', 'push', 'sandbox', 'validate', 'help', 'version', 'autocomplete']
  it('is the nearest command when the typo is small', () => {
    assert.equal(suggestion('pus', ids), 'push')
    assert.equal(suggestion('valiadte', ids), 'validate')
    assert.equal(suggestion('confg', ids), 'config')
  })

  it('is nothing when no command is near', () => {
    assert.equal(suggestion('frobnicate', ids), undefined)
    assert.equal(suggestion('', ids), undefined)
    assert.equal(suggestion('push', []), undefined)
  })
})
