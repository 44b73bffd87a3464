// Copies generated JSON data (schema, resources, protobuf facts) next to the compiled code.
import { cpSync, existsSync } from 'node:fs';
for (const dir of ['api/generated', 'machinery/protobuf/generated']) {
  if (existsSync(`src/${dir}`)) cpSync(`src/${dir}`, `dist/${dir}`, { recursive: true });
}
// Protocol files loaded at run time (CRI client).
for (const file of ['kubelet/cri/cri.proto']) {
  if (existsSync(`src/${file}`)) cpSync(`src/${file}`, `dist/${file}`);
}
