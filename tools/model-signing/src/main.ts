import { DEFAULT_MODEL_BUCKET, DEFAULT_RELEASE_BUCKET, DEFAULT_RELEASE_KEY } from '@millwright/model-release';
import { parseCliArgs, required } from './cli-args.parser';
import { keygen } from './keygen.command';
import { publishModelDir } from './publish.command';
import { signModelCard } from './sign.command';

const USAGE = `usage: node dist/tools/model-signing/src/main.js <command> [options]
  keygen  --out DIR                 new Ed25519 key pair: DIR/signing-key.pem (keep it secret),
                                    DIR/public.pem and DIR/public.key (base64, for the edges' config)
  sign    --card FILE --key PEM     writes FILE.sig: Ed25519 signature over the card's bytes
  publish --nats URL --dir DIR      uploads DIR's model.onnx, model-card.json and .sig to the object
          [--bucket ${DEFAULT_MODEL_BUCKET}] [--release-bucket ${DEFAULT_RELEASE_BUCKET}] [--release-key ${DEFAULT_RELEASE_KEY}]
                                    store under <version>/, then points the release key at it`;

async function main(argv: string[]): Promise<void> {
  const { command, options } = parseCliArgs(argv);
  switch (command) {
    case 'keygen': {
      const r = await keygen(required(options, 'out'));
      console.log(`key ${r.keyId}: private key ${r.privateKeyPath}, public key ${r.publicKeyPath}\npublic key (base64): ${r.publicKeyBase64}`);
      return;
    }
    case 'sign': {
      const r = await signModelCard(required(options, 'card'), required(options, 'key'));
      console.log(`signed ${r.version} with key ${r.keyId}: ${r.signaturePath}`);
      return;
    }
    case 'publish': {
      const p = await publishModelDir(required(options, 'nats'), required(options, 'dir'), {
        bucket: options.bucket,
        releaseBucket: options['release-bucket'],
        releaseKey: options['release-key'],
      });
      console.log(`published ${p.version} (sha256 ${p.sha256}) at ${p.publishedAt}`);
      return;
    }
    default:
      throw new Error(command ? `unknown command ${command}` : 'no command');
  }
}

main(process.argv.slice(2)).catch((e: Error) => {
  console.error(`${e.message}\n\n${USAGE}`);
  process.exit(1);
});
