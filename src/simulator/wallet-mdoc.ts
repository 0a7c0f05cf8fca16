import { X509Certificate } from 'node:crypto';
import { cborEncode, DataItem, DateOnly, DeviceRequest, DeviceResponse, parseDeviceResponse } from '@animo-id/mdoc';
import { DcqlQuery } from 'dcql';
import { mdocContext } from '../interaction/steps/present-credential/mdoc-context.js';
import { openId4VpSessionTranscript } from '../interaction/steps/present-credential/session-transcript.js';
import type { HeldMdoc } from './demo-mdl.js';

/** What the wallet read of a query for an mdoc: the elements it shows, and sends, by namespace. */
export interface MdocMatch {
  format: 'mso_mdoc';
  queryId: string;
  held: HeldMdoc;
  shown: Array<{ path: string; value: unknown }>;
  elements: Map<string, string[]>;
}

/** An element's value as the wallet shows it (and DCQL compares it): full dates as ISO text, CBOR maps as objects. */
function shownValue(value: unknown): unknown {
  if (value instanceof DateOnly) return value.toISOString();
  if (value instanceof Map) return Object.fromEntries([...value].map(([key, item]) => [String(key), shownValue(item)]));
  return Array.isArray(value) ? value.map(shownValue) : value;
}

function issuedDocument(held: HeldMdoc) {
  const [document] = parseDeviceResponse(held.issued).documents;
  if (!document) throw new Error('the held mdoc has no document');
  const namespaces = new Map(
    [...document.issuerSigned.nameSpaces].map(([namespace, items]) => [
      namespace,
      new Map(items.map((item) => [item.elementIdentifier, item.elementValue])),
    ]),
  );
  return { docType: document.docType, namespaces, issuer: document.issuerSigned.issuerAuth.certificate };
}

/**
 * Whether the held mdoc answers the query (DCQL decides: format, doctype, elements and their
 * values), and then which elements it reveals: those the query names by `[namespace, element]`.
 */
export function matchMdoc(query: DcqlQuery, held: HeldMdoc): MdocMatch | undefined {
  const [asked, ...more] = query.credentials;
  if (more.length > 0 || asked.format !== 'mso_mdoc') return undefined;
  const { docType, namespaces } = issuedDocument(held);
  const plain = Object.fromEntries(
    [...namespaces].map(([namespace, items]) => [
      namespace,
      Object.fromEntries([...items].map(([name, value]) => [name, shownValue(value)])),
    ]),
  );
  const result = DcqlQuery.query(query, [
    { credential_format: 'mso_mdoc', doctype: docType, namespaces: plain, cryptographic_holder_binding: true },
  ]);
  if (!result.can_be_satisfied) return undefined;

  const asks = (asked.claims ?? []).map((claim) =>
    'path' in claim ? claim.path : [claim.namespace, claim.claim_name],
  );
  const elements = new Map<string, string[]>();
  for (const [namespace, name] of asks) {
    if (namespace === undefined || name === undefined) continue;
    elements.set(namespace, [...(elements.get(namespace) ?? []), name]);
  }
  return {
    format: 'mso_mdoc',
    queryId: asked.id,
    held,
    shown: asks.map(([namespace = '', name = '']) => ({ path: name, value: plain[namespace]?.[name] })),
    elements,
  };
}

/**
 * The `vp_token` for a request (OpenID4VP 1.0 B.2): a DeviceResponse of just the matched elements,
 * signed by the device key over the session transcript of this request (client id, nonce, response URI).
 */
export async function presentMdoc(
  match: MdocMatch,
  request: { nonce: string; clientId: string; responseUri: string },
): Promise<string> {
  const mdoc = parseDeviceResponse(match.held.issued);
  const { docType } = issuedDocument(match.held);
  const nameSpaces = new Map(
    [...match.elements].map(([namespace, names]) => [namespace, new Map(names.map((name) => [name, false]))]),
  );
  const transcript = openId4VpSessionTranscript({
    clientId: request.clientId,
    nonce: request.nonce,
    responseUri: request.responseUri,
  });
  const response = await DeviceResponse.from(mdoc)
    .usingDeviceRequest(DeviceRequest.from('1.0', [{ itemsRequestData: { docType, nameSpaces } }]))
    .usingSessionTranscriptBytes(cborEncode(new DataItem({ buffer: transcript })))
    .authenticateWithSignature(match.held.deviceKey, 'ES256')
    .sign(mdocContext);
  return JSON.stringify({ [match.queryId]: [Buffer.from(response.encode()).toString('base64url')] });
}

/** What the wallet shows of the mdoc it holds: the document signer, the doctype, every element. */
export function heldMdocClaims(held: HeldMdoc): {
  issuer: string;
  type: string;
  disclosable: Array<{ path: string; value: unknown }>;
} {
  const { docType, namespaces, issuer } = issuedDocument(held);
  const disclosable = [...namespaces.values()].flatMap((items) =>
    [...items].map(([name, value]) => ({ path: name, value: shownValue(value) })),
  );
  return { issuer: subjectOf(issuer), type: docType, disclosable };
}

const subjectOf = (der: Uint8Array): string => new X509Certificate(der).subject.replaceAll('\n', ', ');
