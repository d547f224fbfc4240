// Storage elements: the registry, where files are (StorageIndex), and the broker's ranking.
export type { StorageElement, StorageElementInput, Protocol } from './storage-element';
export type { StorageSettings } from './storage-settings';
export { DEFAULT_STORAGE_SETTINGS } from './storage-settings';
export {
  registerStorageElements,
  listRegisteredStorageElements,
  getStorageElement,
  updateStorageElement,
  removeStorageElement,
  type StorageElementChanges,
} from './manage-storage-elements';
export { storageElementsOfFiles, type StorageElementsItem, type FileStorageElements } from './file-storage-elements';
export { rankStorageElements, DEFAULT_MAX_RANK_NAMES, type RankRequest, type Ranking, type RankedStorageElement } from './rank';
export { StorageDirectory } from './storage-directory';
export { expandTurl, surlPath, parseTurlTemplate } from './turl-template';
