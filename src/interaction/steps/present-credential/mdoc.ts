import type { X509Certificate } from 'node:crypto';
import {
  cborEncode,
  DataItem,
  DateOnly,
  DeviceSignedDocument,
  MDocStatus,
  parseDeviceResponse,
  Verifier,
  type VerificationCallback,
} from '@animo-id/mdoc';
import { verifiedChain } from './certificate-chain.js';
import type { IssuerTrust } from './issuer-trust.js';
import { mdocContext, subjectField, verifyCose } from './mdoc-context.js';
import type { PresentedCredential } from './presented-credential.js';
import { PresentationRejected, type RejectionReason } from './rejection.js';
import { openId4VpSessionTranscript } from './session-transcript.js';
import { checkStatus, type StatusLists, type StatusReference } from './status-list.js';

/** What this try expects of an mdoc presentation. */
export interface MdocExpectations {
  trust: IssuerTrust;
  /** The doctype the query asks for. */
  doctypes: readonly string[];
  /** Our client id, the try's nonce and response URI: the session transcript the device signed. */
  clientId: string;
  nonce: string;
  responseUri: string;
  now: Date;
  statusLists: StatusLists;
}

/** Clock skew tolerated between the issuer and the hook. */
const SKEW_MS = 60_000;
/** Nesting deeper than this in an element's value is not a credential's. */
const MAX_DEPTH = 16;

const verifier = new Verifier();

/**
 * Verifies an ISO mdoc presentation (OpenID4VP 1.0 B.2): a base64url DeviceResponse holding one
 * document of the asked doctype, its issuer's signature (MSO) under a certificate chaining to a
 * configured IACA root, the MSO's validity, the device's signature over this request's session
 * transcript, and every disclosed element against its value digest.
 */
export async function verifyMdoc(presentation: string, expect: MdocExpectations): Promise<PresentedCredential> {
  const document = deviceSignedDocument(presentation);
  if (!expect.doctypes.includes(document.docType)) throw new PresentationRejected('type_not_requested');
  const { issuer, root, status } = verifyIssuerAuth(document, expect);
  const transcript = openId4VpSessionTranscript({
    clientId: expect.clientId,
    nonce: expect.nonce,
    responseUri: expect.responseUri,
  });
  await libraryCheck('device_signature_invalid', (onCheckG) =>
    verifier.verifyDeviceSignature(
      { deviceSigned: document, sessionTranscriptBytes: cborEncode(new DataItem({ buffer: transcript })), onCheckG },
      mdocContext,
    ),
  );
  await libraryCheck('disclosure_invalid', (onCheckG) =>
    verifier.verifyData({ mdoc: document, onCheckG }, mdocContext),
  );
  // The list is the issuer's word too: signed under the IACA root the document signer chains to.
  if (status) await checkStatus(status, { roots: [root], issuers: new Map() }, expect.now, expect.statusLists);
  return {
    format: 'mso_mdoc',
    type: document.docType,
    issuer,
    trustedBy: 'x509',
    ...disclosedElements(document),
    statusChecked: status !== undefined,
  };
}

/** The one document of a DeviceResponse, signed by the device (by signature: MAC needs a reader key). */
function deviceSignedDocument(presentation: string): DeviceSignedDocument {
  if (!/^[A-Za-z0-9_-]+$/.test(presentation)) throw new PresentationRejected('malformed');
  let response;
  try {
    response = parseDeviceResponse(new Uint8Array(Buffer.from(presentation, 'base64url')));
  } catch (error) {
    throw new PresentationRejected('malformed', { cause: error });
  }
  const [document, ...more] = response.documents;
  if (response.status !== MDocStatus.OK || !document || more.length > 0) throw new PresentationRejected('malformed');
  if (!(document instanceof DeviceSignedDocument)) throw new PresentationRejected('key_binding_missing');
  if (!document.deviceSigned.deviceAuth.deviceSignature) throw new PresentationRejected('device_signature_invalid');
  return document;
}

/**
 * The issuer signature (IssuerAuth): its `x5chain` to a configured root, the document signer
 * certificate naming its country (ISO 18013-5), the COSE_Sign1 over the MSO, the MSO signed while
 * that certificate was valid and valid itself now. Names the issuer by the certificate's subject;
 * gives the root it chains to and the MSO's status list entry, if any.
 */
function verifyIssuerAuth(
  document: DeviceSignedDocument,
  expect: MdocExpectations,
): { issuer: string; root: X509Certificate; status: StatusReference | undefined } {
  const { issuerAuth } = document.issuerSigned;
  const { chain, validity, status } = readIssuerAuth(issuerAuth);
  const { leaf, root } = verifiedChain(chain, expect.trust.roots, expect.now);
  if (subjectField(leaf, 'C').length === 0) throw new PresentationRejected('issuer_untrusted');
  if (!issuerSignatureVerifies(issuerAuth, leaf)) throw new PresentationRejected('signature_invalid');
  const { signed, validFrom, validUntil } = validity ?? {};
  if (!(signed instanceof Date && validFrom instanceof Date && validUntil instanceof Date))
    throw new PresentationRejected('malformed');
  if (signed < new Date(leaf.validFrom) || signed > new Date(leaf.validTo))
    throw new PresentationRejected('issuer_untrusted');
  const now = expect.now.getTime();
  if (now + SKEW_MS < validFrom.getTime()) throw new PresentationRejected('not_yet_valid');
  if (now - SKEW_MS > validUntil.getTime()) throw new PresentationRejected('expired');
  return { issuer: leaf.subject.replaceAll('\n', ', '), root, status: statusReference(status) };
}

type IssuerAuth = DeviceSignedDocument['issuerSigned']['issuerAuth'];

/**
 * The x5chain (base64 DER), the MSO's validity and its `status` (which the library keeps but does
 * not type): CBOR the holder sent, so checked by the caller.
 */
function readIssuerAuth(issuerAuth: IssuerAuth): {
  chain: string[];
  validity: Partial<Record<'signed' | 'validFrom' | 'validUntil', unknown>> | undefined;
  status: unknown;
} {
  try {
    const mso: IssuerAuth['decodedPayload'] & { status?: unknown } = issuerAuth.decodedPayload;
    return {
      chain: issuerAuth.certificateChain.map((c) => Buffer.from(c).toString('base64')),
      validity: mso.validityInfo,
      status: mso.status,
    };
  } catch (error) {
    throw new PresentationRejected('malformed', { cause: error });
  }
}

/**
 * The MSO's Token Status List entry, `status` → `status_list` → {`idx`, `uri`} (CBOR maps, ISO 18013-5
 * second edition), when it has one. A status by another mechanism only is not checked, as for SD-JWT VC.
 */
function statusReference(status: unknown): StatusReference | undefined {
  if (status === undefined) return undefined;
  const entry = status instanceof Map ? (status as Map<unknown, unknown>).get('status_list') : null;
  if (entry === undefined) return undefined;
  if (!(entry instanceof Map)) throw new PresentationRejected('malformed');
  const list = entry as Map<unknown, unknown>;
  return { uri: list.get('uri'), idx: list.get('idx') };
}

function issuerSignatureVerifies(issuerAuth: IssuerAuth, leaf: X509Certificate): boolean {
  try {
    return verifyCose(issuerAuth.getRawVerificationData(), leaf.publicKey);
  } catch {
    return false;
  }
}

/** Runs one of the library's checks; any check it reports failed (or an error) refuses with `reason`. */
async function libraryCheck(
  reason: RejectionReason,
  run: (onCheck: VerificationCallback) => Promise<void>,
): Promise<void> {
  const failed: string[] = [];
  try {
    await run((check) => {
      if (check.status === 'FAILED') failed.push(check.check);
    });
  } catch (error) {
    throw new PresentationRejected(reason, { cause: error });
  }
  if (failed.length > 0) throw new PresentationRejected(reason, { cause: new Error(failed.join('; ')) });
}

/** The issuer-signed elements disclosed, by namespace, as JSON values; and their names for the ledger. */
function disclosedElements(document: DeviceSignedDocument): { claims: Record<string, unknown>; disclosed: string[] } {
  const disclosed: string[] = [];
  const namespaces: [string, Record<string, unknown>][] = [];
  try {
    for (const [namespace, items] of document.issuerSigned.nameSpaces) {
      const elements = items.map((item): [string, unknown] => [
        elementName(item.elementIdentifier),
        jsonValue(item.elementValue, 0),
      ]);
      const names = elements.map(([name]) => name);
      if (new Set(names).size !== names.length) throw new PresentationRejected('disclosure_invalid');
      namespaces.push([namespace, Object.fromEntries(elements)]);
      disclosed.push(...names.map((name) => `${namespace}.${name}`));
    }
  } catch (error) {
    if (error instanceof PresentationRejected) throw error;
    throw new PresentationRejected('malformed', { cause: error });
  }
  return { claims: Object.fromEntries(namespaces), disclosed: disclosed.sort() };
}

/** An element identifier is a string (the library types it so; the CBOR may say otherwise). */
function elementName(identifier: unknown): string {
  if (typeof identifier !== 'string') throw new PresentationRejected('malformed');
  return identifier;
}

/** A CBOR element value as JSON: full dates and dates as ISO strings, bytes as base64url, maps as objects. */
function jsonValue(value: unknown, depth: number): unknown {
  if (depth > MAX_DEPTH) throw new PresentationRejected('malformed');
  if (value instanceof DateOnly || value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64url');
  if (value instanceof DataItem) return jsonValue(value.data, depth + 1);
  if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [String(k), jsonValue(v, depth + 1)]));
  if (Array.isArray(value)) return value.map((v) => jsonValue(v, depth + 1));
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) return value;
  return null;
}
