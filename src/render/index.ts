/** Renderers for diff and push: human text, grid picture, JSON documents (the unified patch, in patch.ts, is loaded on demand). */
export {PICTURE_MAX_HEIGHT, PICTURE_MAX_WIDTH, renderGridPicture} from './grid.js'
export {type Json, planDocument, type PlanDocument, pushDocument, type PushDocument, SCHEMA_VERSION} from './json.js'
export {renderApply, renderVerification} from './results.js'
export {renderPlan, type RenderPlanOptions} from './text.js'
