import type { Preview } from '@storybook/web-components-vite';
import { setCustomElementsManifest } from '@storybook/web-components';
import { withActions } from 'storybook/actions/decorator';
import manifest from '../packages/elements/custom-elements.json';

// Args, controls and the docs tables come from the manifest that `cem analyze` generates.
setCustomElementsManifest(manifest);

const preview: Preview = {
  tags: ['autodocs'],
  decorators: [withActions],
  parameters: {
    layout: 'padded',
    controls: { expanded: true },
    // Every element's `cs-*` events (bubbling, composed) show up in the Actions panel.
    actions: {
      handles: [
        'cs-status-change',
        'cs-verified',
        'cs-error',
        'cs-ready',
        'cs-field-change',
        'cs-complete',
        'cs-decline',
        'cs-template-save',
        'cs-template-publish',
        'cs-source-change',
        'cs-variables-change',
        'cs-condition-change',
        'cs-clause-save',
        'cs-clause-publish',
        'cs-proposal-decide',
        'cs-proposal-submit',
        'cs-envelope-sent',
      ],
    },
  },
};

export default preview;
