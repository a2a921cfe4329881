import { expect } from 'chai';
import { chooseConfigFile, CHECKOUT_DEMO_CONFIG } from '../../src/cli/config-file';

describe('which configuration file a command reads', () => {
  const none = () => false;
  const only = (file: string) => (f: string) => f === file;

  it('takes --config, else WHARF_CONFIG, whether or not the installed files exist', () => {
    expect(chooseConfigFile('my.yaml', { WHARF_CONFIG: 'env.yaml' }, true, () => true).file).to.equal('my.yaml');
    expect(chooseConfigFile(undefined, { WHARF_CONFIG: 'env.yaml' }, false, () => true).file).to.equal('env.yaml');
  });

  it('else /etc/wharf/wharf.yaml, else /etc/wharf/wharf.json, before the checkout demo', () => {
    expect(chooseConfigFile(undefined, {}, true, () => true).file).to.equal('/etc/wharf/wharf.yaml');
    expect(chooseConfigFile(undefined, {}, true, only('/etc/wharf/wharf.json')).file).to.equal('/etc/wharf/wharf.json');
    expect(chooseConfigFile(undefined, { WHARF_CONFIG: '' }, true, none).file).to.equal(CHECKOUT_DEMO_CONFIG);
  });

  it('never falls back to the demo in an installed package: nothing found, it says where it looked', () => {
    expect(chooseConfigFile(undefined, {}, false, none)).to.deep.equal({
      looked: ['--config', 'WHARF_CONFIG', '/etc/wharf/wharf.yaml', '/etc/wharf/wharf.json'],
    });
  });
});
