import type { CatalogContext } from '../core/context';
import type { Parts } from './decode-parts';
import type { Returned } from './envelope';
import type { WireType } from './wire-types';

/** What an operation needs besides its arguments. */
export interface ServiceInfo {
  /** replicat's version (getVersion). */
  readonly version: string;
  /** The database schema's version (getSchemaVersion). */
  readonly schemaVersion: string;
}

export interface OperationCall {
  readonly ctx: CatalogContext;
  readonly parts: Parts;
  readonly service: ServiceInfo;
}

export interface PartDefinition {
  readonly name: string;
  readonly type: WireType;
}

/** One WSDL operation and the code that serves it: the WSDL and the dispatcher come from the same list. */
export interface OperationDefinition {
  readonly name: string;
  readonly parts: readonly PartDefinition[];
  /** The type of `<opNameReturn>`; null for a void operation. */
  readonly returns: WireType | null;
  /** Whether the operation declares the five CatalogException faults (ServiceBase's do not). */
  readonly faults: boolean;
  run(call: OperationCall): Promise<Returned>;
}

export interface PortDefinition {
  /** portType and port name, and the last segment of the endpoint path: `FiremanCatalog`. */
  readonly name: string;
  readonly namespace: string;
  /** The interface version this port implements (getInterfaceVersion). */
  readonly interfaceVersion: string;
  /** File name under wsdl/. */
  readonly wsdlFile: string;
  readonly operations: readonly OperationDefinition[];
}
