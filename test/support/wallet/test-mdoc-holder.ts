import { createHash, webcrypto } from 'node:crypto';
import {
  cborDecode,
  cborEncode,
  DataItem,
  DateOnly,
  DeviceRequest,
  DeviceResponse,
  Document,
  IssuerSignedItem,
  MDoc,
  parseDeviceResponse,
  parseIssuerSigned,
  type IssuerSignedDocument,
} from '@animo-id/mdoc';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { mdocContext } from '../../../src/interaction/steps/present-credential/mdoc-context.js';
import type { TestCertificate } from './test-pki.js';
import type { Presenter } from './test-wallet.js';

export const MDL_DOCTYPE = 'org.iso.18013.5.1.mDL';
export const MDL_NAMESPACE = 'org.iso.18013.5.1';

/** The device key of an mdoc: the issuer signs its public half into the MSO. */
export interface MdocHolder {
  publicJwk: JWK;
  privateJwk: JWK;
}

export async function makeMdocHolder(): Promise<MdocHolder> {
  const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
  return { publicJwk: await exportJWK(publicKey), privateJwk: await exportJWK(privateKey) };
}

export interface MdocIssueInput {
  docType?: string;
  /** Elements of the mDL namespace (a demo licence by default). */
  elements?: Record<string, unknown>;
  signed?: Date;
  validFrom?: Date;
  validUntil?: Date;
  /** An entry in a Token Status List (the MSO's `status.status_list`), or the whole `status` as CBOR. */
  status?: { uri: string; idx: number } | Map<string, unknown>;
}

export const demoMdlElements = (): Record<string, unknown> => ({
  family_name: 'Okafor',
  given_name: 'Ada',
  birth_date: new DateOnly('1990-04-01'),
  issuing_country: 'NZ',
  document_number: 'DL-0042',
});

/** A document signer: its certificate (under an IACA root) and private key. */
export interface MdocSigner {
  pem: string;
  privateJwk: JWK;
}

export async function mdocSigner(certificate: TestCertificate): Promise<MdocSigner> {
  return { pem: certificate.pem, privateJwk: await webcrypto.subtle.exportKey('jwk', certificate.keys.privateKey) };
}

/**
 * An mdoc issued with the library's issuer side: the MSO signed by a document signer, the holder's
 * device key in it. Returns the encoded issuer-signed mdoc.
 */
export async function issueMdoc(
  signer: MdocSigner,
  holder: MdocHolder,
  input: MdocIssueInput = {},
): Promise<Uint8Array> {
  const signed = input.signed ?? new Date();
  const document = await new Document(input.docType ?? MDL_DOCTYPE, mdocContext)
    .addIssuerNameSpace(MDL_NAMESPACE, input.elements ?? demoMdlElements())
    .useDigestAlgorithm('SHA-256')
    .addValidityInfo({
      signed,
      validFrom: input.validFrom ?? signed,
      validUntil: input.validUntil ?? new Date(signed.getTime() + 365 * 86_400_000),
    })
    .addDeviceKeyInfo({ deviceKey: holder.publicJwk })
    .sign({ issuerPrivateKey: signer.privateJwk, issuerCertificate: signer.pem, alg: 'ES256' }, mdocContext);
  return new MDoc([input.status ? await withStatus(document, input.status, signer) : document]).encode();
}

/**
 * The document with `status` added to its MSO (ISO 18013-5 second edition 9.1.2, as the Token Status
 * List defines it for mdoc), signed again: the library's issuer side writes no `status`.
 */
async function withStatus(
  document: IssuerSignedDocument,
  status: NonNullable<MdocIssueInput['status']>,
  signer: MdocSigner,
): Promise<IssuerSignedDocument> {
  const prepared = document.prepare().get('issuerSigned') as { nameSpaces: unknown; issuerAuth: unknown[] };
  const mso = (cborDecode(prepared.issuerAuth[2] as Uint8Array) as DataItem<Map<string, unknown>>).data;
  mso.set(
    'status',
    status instanceof Map ? status : new Map([['status_list', new Map<string, unknown>(Object.entries(status))]]),
  );
  const [protectedHeaders, unprotectedHeaders] = prepared.issuerAuth;
  const payload = cborEncode(DataItem.fromData(mso));
  const reissued = parseIssuerSigned(
    new Map<string, unknown>([
      ['nameSpaces', prepared.nameSpaces],
      ['issuerAuth', [protectedHeaders, unprotectedHeaders, payload, new Uint8Array(64)]],
    ]),
  );
  const { issuerAuth } = reissued.issuerSigned;
  issuerAuth.signature = await mdocContext.cose.sign1.sign({ sign1: issuerAuth, jwk: signer.privateJwk });
  return reissued;
}

/** The request an mdoc presentation answers: what its session transcript binds. */
export interface MdocRequest {
  clientId: string;
  nonce: string;
  responseUri: string;
}

export interface MdocPresentOptions {
  /** Which elements to disclose (all issued by default). */
  disclose?: readonly string[];
  /** Request values the device signs over instead of the request's own. */
  transcript?: Partial<MdocRequest>;
  /** An element whose value is changed after issuance: its digest no longer matches. */
  tamper?: { element: string; value: unknown };
}

/**
 * A DeviceResponse for `request` (OpenID4VP 1.0 B.2), base64url: the chosen elements and the device's
 * signature over the session transcript of the redirect flow, computed here from the specification.
 */
export async function presentMdoc(
  issued: Uint8Array,
  holder: MdocHolder,
  request: MdocRequest,
  options: MdocPresentOptions = {},
): Promise<string> {
  const mdoc = parseDeviceResponse(issued);
  const [document] = mdoc.documents;
  if (!document) throw new Error('no document issued');
  const names =
    options.disclose ??
    (document.issuerSigned.nameSpaces.get(MDL_NAMESPACE) ?? []).map((item) => item.elementIdentifier);
  const deviceRequest = DeviceRequest.from('1.0', [
    {
      itemsRequestData: {
        docType: document.docType,
        nameSpaces: new Map([[MDL_NAMESPACE, new Map(names.map((n) => [n, false]))]]),
      },
    },
  ]);
  const response = await DeviceResponse.from(mdoc)
    .usingDeviceRequest(deviceRequest)
    .usingSessionTranscriptBytes(sessionTranscriptBytes({ ...request, ...options.transcript }))
    .authenticateWithSignature(holder.privateJwk, 'ES256')
    .sign(mdocContext);
  if (options.tamper) tamper(response, options.tamper);
  return Buffer.from(response.encode()).toString('base64url');
}

/** Presents `issued` to whatever request the wallet has read. */
export function mdocPresenter(issued: Uint8Array, holder: MdocHolder): Presenter<MdocPresentOptions> {
  return (request, options) =>
    presentMdoc(
      issued,
      holder,
      { clientId: request.clientId, nonce: request.nonce, responseUri: request.responseUri },
      options,
    );
}

/** SessionTranscript = [null, null, ["OpenID4VPHandover", sha-256(CBOR([client_id, nonce, null, response_uri]))]], as tag-24 bytes. */
function sessionTranscriptBytes(request: MdocRequest): Uint8Array {
  const infoHash = createHash('sha256')
    .update(cborEncode([request.clientId, request.nonce, null, request.responseUri]))
    .digest();
  return cborEncode(DataItem.fromData([null, null, ['OpenID4VPHandover', new Uint8Array(infoHash)]]));
}

function tamper(response: MDoc, change: { element: string; value: unknown }): void {
  const items = response.documents[0]?.issuerSigned.nameSpaces.get(MDL_NAMESPACE) ?? [];
  const index = items.findIndex((item) => item.elementIdentifier === change.element);
  const item = items[index];
  if (!item) throw new Error(`no element ${change.element} to tamper with`);
  items[index] = new IssuerSignedItem(
    DataItem.fromData(
      new Map<'digestID' | 'elementIdentifier' | 'elementValue' | 'random', unknown>([
        ['digestID', item.digestID],
        ['elementIdentifier', change.element],
        ['elementValue', change.value],
        ['random', item.random],
      ]),
    ),
  );
}
