/**
 * What the SOAP client knows of a port, as generated from the service's port tables: each operation's
 * parts and return type by their XML Schema names (`soapenc:string`, `xsd:long`, `impl:ArrayOf_tns1_FCEntry`,
 * `tns1:Perm`, …), and the fields of every catalog type in wire order.
 */
export interface SoapFieldDescription {
  readonly name: string;
  readonly type: string;
  readonly nillable?: boolean;
  /** A bean array: the element repeats. */
  readonly repeated?: boolean;
}

export interface SoapTypeDescription {
  /** The supertype (its local name); its fields come first on the wire. */
  readonly base?: string;
  readonly fields: readonly SoapFieldDescription[];
}

export interface SoapOperationDescription {
  readonly parts: readonly { readonly name: string; readonly type: string }[];
  /** The type of `<opNameReturn>`; null for a void operation. */
  readonly returns: string | null;
  /** Changes nothing, so it is retried like a REST read. */
  readonly reads: boolean;
}

export interface SoapPortDescription {
  readonly name: string;
  readonly namespace: string;
  readonly operations: Readonly<Record<string, SoapOperationDescription>>;
}
