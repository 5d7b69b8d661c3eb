import {ERROR_SCHEMA, MAP_INPUT_SCHEMA, MAP_SCHEMA, MAP_SUMMARY_SCHEMA, OBSERVER_INPUT_SCHEMA, OBSERVER_SCHEMA, OBSTACLE_INPUT_SCHEMA} from './schemas.js'

/**
 * The OpenAPI 3.0 document served at /apispec_1.json. As on the reference server, the
 * `servers` entry is `/api` while the paths already start with `/api`.
 */

const ERROR_TEXT: Readonly<Record<number, string>> = {
  400: 'The body breaks the schema, or a position is outside the map',
  404: 'No such map or observer (an HTML page)',
  409: 'The name gives a slug that is already taken',
  415: 'The body is not JSON, or is empty',
  500: 'The database is locked; nothing was written',
}

function ref(name: string): {$ref: string} {
  return {$ref: `#/components/schemas/${name}`}
}

function jsonContent(schema: unknown): {content: Record<string, {schema: unknown}>} {
  return {content: {'application/json': {schema}}}
}

function errors(...codes: number[]): Record<string, unknown> {
  return Object.fromEntries(codes.map((code) => [String(code), {description: ERROR_TEXT[code], ...(code === 404 ? {} : jsonContent(ref('Error')))}]))
}

function pathParams(...names: string[]): unknown[] {
  return names.map((name) => ({
    name,
    in: 'path',
    required: true,
    schema: name === 'x' || name === 'y' ? {type: 'integer', minimum: 0} : {type: 'string'},
  }))
}

function created(location: string): unknown {
  return {description: 'Created', headers: {Location: {description: location, schema: {type: 'string'}}}}
}

function body(schemaName: string): unknown {
  return {required: true, ...jsonContent(ref(schemaName))}
}

const NO_CONTENT = {description: 'Done; empty body'}

export function openApiDocument(version: string): unknown {
  return {
    openapi: '3.0.3',
    info: {title: 'Gridmap API', version, description: 'Grid maps with observers and obstacles.'},
    servers: [{url: '/api'}],
    paths: {
      '/api/maps/': {
        get: {summary: 'List maps (without contents)', responses: {200: {description: 'The maps', ...jsonContent(ref('MapList'))}}},
        post: {
          summary: 'Add a map',
          requestBody: body('MapInput'),
          responses: {201: created('/api/maps/{map}/'), ...errors(400, 409, 415, 500)},
        },
      },
      '/api/maps/{map}/': {
        parameters: pathParams('map'),
        get: {summary: 'Read a map with its contents', responses: {200: {description: 'The map', ...jsonContent(ref('Map'))}, ...errors(404)}},
        put: {
          summary: 'Rename or resize a map (a new name gives a new slug)',
          requestBody: body('MapInput'),
          responses: {204: NO_CONTENT, ...errors(400, 404, 409, 415, 500)},
        },
        delete: {summary: 'Delete a map and its contents', responses: {204: NO_CONTENT, ...errors(404, 500)}},
      },
      '/api/maps/{map}/observers/': {
        parameters: pathParams('map'),
        post: {
          summary: 'Add an observer (names are unique across all maps)',
          requestBody: body('ObserverInput'),
          responses: {201: created('/api/maps/{map}/observers/{observer}/'), ...errors(400, 404, 409, 415, 500)},
        },
      },
      '/api/maps/{map}/observers/{observer}/': {
        parameters: pathParams('map', 'observer'),
        get: {summary: 'Read an observer', responses: {200: {description: 'The observer', ...jsonContent(ref('Observer'))}, ...errors(404)}},
        put: {
          summary: 'Change an observer (leaving out vision clears it)',
          requestBody: body('ObserverInput'),
          responses: {204: NO_CONTENT, ...errors(400, 404, 409, 415, 500)},
        },
        delete: {summary: 'Delete an observer', responses: {204: NO_CONTENT, ...errors(404, 500)}},
      },
      '/api/maps/{map}/obstacles/': {
        parameters: pathParams('map'),
        post: {
          summary: 'Add an obstacle (a repeated position adds another row)',
          requestBody: body('Obstacle'),
          responses: {201: created('/api/maps/{map}/obstacles/{x}/{y}/'), ...errors(400, 404, 415, 500)},
        },
      },
      '/api/maps/{map}/obstacles/{x}/{y}/': {
        parameters: pathParams('map', 'x', 'y'),
        delete: {summary: 'Delete an obstacle', responses: {204: NO_CONTENT, ...errors(404, 500)}},
      },
    },
    components: {
      schemas: {
        MapList: {type: 'object', properties: {maps: {type: 'array', items: MAP_SUMMARY_SCHEMA}}},
        Map: MAP_SCHEMA,
        MapInput: MAP_INPUT_SCHEMA,
        Observer: OBSERVER_SCHEMA,
        ObserverInput: OBSERVER_INPUT_SCHEMA,
        Obstacle: OBSTACLE_INPUT_SCHEMA,
        Error: ERROR_SCHEMA,
      },
    },
  }
}
