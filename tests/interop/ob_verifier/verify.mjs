// An independent Open Badge verifier: Digital Bazaar's VC / Data Integrity /
// eddsa-jcs-2022 / Bitstring Status List libraries, fed the documents the platform serves.
// stdin: [{"credential": {...}, "documents": {"<url>": {...}}}, ...] (what the platform
// serves, by URL); stdout: [{"verified": bool, "errors": [...], "revoked": bool|null}, ...],
// one per case. `revoked`: the status list bit the library read (null: no credentialStatus);
// `verified` covers the proof, the issuer and the status list credential's own proof.
import * as vc from '@digitalbazaar/vc';
import {checkStatus} from '@digitalbazaar/vc-bitstring-status-list';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {createVerifyCryptosuite} from '@digitalbazaar/eddsa-jcs-2022-cryptosuite';

const MULTIKEY_V1 = 'https://w3id.org/security/multikey/v1';
const input = JSON.parse(await new Promise(resolve => {
  let text = '';
  process.stdin.on('data', chunk => text += chunk);
  process.stdin.on('end', () => resolve(text));
}));

function loaderFor(served) {
  return async function documentLoader(url) {
    const [base, fragment] = url.split('#');
    if(base in served) {
      const document = served[base];
      if(fragment === undefined) {
        return {contextUrl: null, documentUrl: url, document};
      }
      // a fragment dereferences to the verification method it names, in its own
      // Multikey context (as DID resolvers return a key)
      const method = (document.verificationMethod || []).find(m => m.id === url);
      if(!method) {
        throw new Error(`${url}: no such verification method`);
      }
      return {contextUrl: null, documentUrl: url, document: {'@context': MULTIKEY_V1, ...method}};
    }
    return vc.defaultDocumentLoader(url);  // the W3C contexts the library ships
  };
}

async function verifyWithController(credential, documentLoader, options = {}) {
  // the controller document, fetched as ControllerProofPurpose does: the proof's
  // verification method, then its `controller` (given to the purpose, which then
  // checks assertionMethod and, for a credential, that the issuer is that controller;
  // given, because the purpose would otherwise expand it as JSON-LD, which needs the
  // Open Badges context from the network)
  const {document: method} = await documentLoader(credential.proof.verificationMethod);
  const {document: controller} = await documentLoader(method.controller);
  const suite = new DataIntegrityProof({cryptosuite: createVerifyCryptosuite()});
  return vc.verifyCredential({
    credential, suite, documentLoader, ...options,
    purpose: new vc.CredentialIssuancePurpose({controller}),
  });
}

async function check({credential, documents}) {
  const documentLoader = loaderFor(documents);
  // the status: the library fetches the status list credential, checks its type,
  // purpose and issuer (= the credential's) and reads the bit; its proof is verified
  // here first, by the same libraries and controller chain as the credential's
  const statusCheck = async options => {
    const {statusListCredential} = options.credential.credentialStatus;
    const {document: list} = await documentLoader(statusListCredential);
    const listResult = await verifyWithController(list, documentLoader);
    if(!listResult.verified) {
      const reason = listResult.error?.errors?.[0]?.message || listResult.error?.message;
      return {verified: false, error: new Error(`"BitstringStatusListCredential" not verified; reason: ${reason}`)};
    }
    return checkStatus({...options, verifyBitstringStatusListCredential: false});
  };
  const result = await verifyWithController(credential, documentLoader, {checkStatus: statusCheck});
  const errors = [];
  const walk = r => {
    if(r?.error) errors.push(String(r.error.message || r.error));
    for(const p of r?.results || []) walk(p);
  };
  walk(result);
  if(result.statusResult?.error) errors.push(String(result.statusResult.error.message));
  const statuses = (result.statusResult?.results || []).map(r => r.status);
  return {verified: result.verified, errors, revoked: statuses.length ? statuses.some(s => s) : null};
}

const out = [];
for(const item of input) {
  out.push(await check(item));
}
process.stdout.write(JSON.stringify(out));
