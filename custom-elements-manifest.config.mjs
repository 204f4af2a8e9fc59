// Custom-elements manifest of @countersign/elements (packages/elements/custom-elements.json),
// read by Storybook's autodocs and by editors. Run: cem analyze --config custom-elements-manifest.config.mjs
import path from 'node:path';

/**
 * Our elements register through `define(tag, Class)` (safe against two bundles on a page), which
 * the analyzer does not know: teach it that such a call defines a custom element.
 */
function countersignDefine() {
  const tags = new Map();
  return {
    name: 'countersign-define',
    analyzePhase({ ts, node, moduleDoc }) {
      if (!ts.isCallExpression(node) || node.expression.getText() !== 'define') return;
      const [tagArg, classArg] = node.arguments;
      if (!tagArg || !classArg || !ts.isStringLiteral(tagArg) || !ts.isIdentifier(classArg)) return;
      const className = classArg.text;
      let module = moduleDoc.path;
      for (const statement of node.getSourceFile().statements) {
        if (!ts.isImportDeclaration(statement) || !statement.importClause?.namedBindings) continue;
        const bindings = statement.importClause.namedBindings;
        if (ts.isNamedImports(bindings) && bindings.elements.some((e) => e.name.text === className)) {
          module = path.posix.join(path.posix.dirname(moduleDoc.path), statement.moduleSpecifier.text);
        }
      }
      tags.set(className, tagArg.text);
      moduleDoc.exports = [
        ...(moduleDoc.exports ?? []),
        { kind: 'custom-element-definition', name: tagArg.text, declaration: { name: className, module } },
      ];
    },
    packageLinkPhase({ customElementsManifest }) {
      // The order of files as the file system lists them differs between machines: sort, so
      // the committed manifest can be compared with a fresh one.
      customElementsManifest.modules.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
      for (const mod of customElementsManifest.modules) {
        // define() itself calls customElements.define(tag, element): not a definition of its own.
        mod.exports = mod.exports?.filter((e) => e.kind !== 'custom-element-definition' || e.name.includes('-'));
        for (const declaration of mod.declarations ?? []) {
          // CsElement.emit(name, …) dispatches whatever it is given; the real events are documented with @event.
          if (declaration.events) declaration.events = declaration.events.filter((e) => e.name?.startsWith('cs-'));
          // Internal state (lit @state, #private, protected helpers) is not public surface.
          if (declaration.members) {
            declaration.members = declaration.members.filter(
              (m) => !m.privacy && !m.name.startsWith('_') && !m.name.startsWith('#'),
            );
          }
          if (declaration.kind === 'class' && tags.has(declaration.name)) {
            declaration.tagName = tags.get(declaration.name);
            declaration.customElement = true;
          }
        }
      }
    },
  };
}

export default {
  globs: ['packages/elements/src/**/*.ts'],
  exclude: ['**/*.styles.ts', '**/*.strings.ts', '**/*.test.ts', '**/*.d.ts'],
  outdir: 'packages/elements',
  litelement: true,
  packagejson: false,
  plugins: [countersignDefine()],
};
