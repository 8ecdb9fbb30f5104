// An independent Open Badge verifier: Digital Bazaar's VC / Data Integrity /
// eddsa-jcs-2022 libraries, fed the documents the platform serves.
// stdin: [{"credential": {...}, "documents": {"<url>": {...}}}, ...] (what the platform
// serves, by URL); stdout: [{"verified": bool, "errors": [...]}, ...], one per case.
import * as vc from '@digitalbazaar/vc';
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

async function check({credential, documents}) {
  const documentLoader = loaderFor(documents);
  // the controller document, fetched as ControllerProofPurpose does: the proof's
  // verification method, then its `controller` (given to the purpose, which then
  // checks assertionMethod and, for a credential, that the issuer is that controller)
  const {document: method} = await documentLoader(credential.proof.verificationMethod);
  const {document: controller} = await documentLoader(method.controller);
  const suite = new DataIntegrityProof({cryptosuite: createVerifyCryptosuite()});
  const result = await vc.verifyCredential({
    credential, suite, documentLoader,
    purpose: new vc.CredentialIssuancePurpose({controller}),
  });
  const errors = [];
  const walk = r => {
    if(r?.error) errors.push(String(r.error.message || r.error));
    for(const p of r?.results || []) walk(p);
  };
  walk(result);
  return {verified: result.verified, errors};
}

const out = [];
for(const item of input) {
  out.push(await check(item));
}
process.stdout.write(JSON.stringify(out));
