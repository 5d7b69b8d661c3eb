import {MAX_NAME_LENGTH} from '../model/types.js'

/**
 * JSON schemas of the sandbox's documents and request bodies, shared by the OpenAPI
 * document and the Mason controls. They describe; the checks themselves live in
 * validate.ts.
 */

const NAME = {type: 'string', minLength: 1, maxLength: MAX_NAME_LENGTH}
const COORDINATE = {type: 'integer', minimum: 0}
const VISION = {type: 'number', minimum: 0, description: 'Leave out for no limit; null is refused.'}

export const MAP_INPUT_SCHEMA = {
  type: 'object',
  required: ['name', 'width', 'height'],
  properties: {name: NAME, width: {type: 'integer', minimum: 1}, height: {type: 'integer', minimum: 1}},
}

export const OBSERVER_INPUT_SCHEMA = {
  type: 'object',
  required: ['name', 'x', 'y'],
  properties: {name: NAME, x: COORDINATE, y: COORDINATE, vision: VISION},
}

export const OBSTACLE_INPUT_SCHEMA = {
  type: 'object',
  required: ['x', 'y'],
  properties: {x: COORDINATE, y: COORDINATE},
}

const SLUG = {type: 'string'}
const VISION_OUT = {type: 'number', nullable: true, minimum: 0}

export const MAP_SUMMARY_SCHEMA = {
  type: 'object',
  properties: {name: NAME, slug: SLUG, width: {type: 'integer'}, height: {type: 'integer'}},
}

export const MAP_SCHEMA = {
  type: 'object',
  properties: {
    ...MAP_SUMMARY_SCHEMA.properties,
    observers: {
      type: 'array',
      items: {type: 'object', properties: {name: NAME, slug: SLUG, vision: VISION_OUT, x: COORDINATE, y: COORDINATE}},
    },
    obstacles: {type: 'array', items: OBSTACLE_INPUT_SCHEMA},
  },
}

export const OBSERVER_SCHEMA = {
  type: 'object',
  properties: {name: NAME, slug: SLUG, vision: VISION_OUT, x: COORDINATE, y: COORDINATE, map_name: NAME, map_slug: SLUG},
}

export const ERROR_SCHEMA = {type: 'object', properties: {message: {type: 'string'}}}
