// The counter's platform identity and session from the command line: `terminal` sets this counter's
// terminal number (the msgid digit that keeps two counters of one institution apart) and dev_no;
// `sign-out` sends 9002 for the open sign-ins at shift end.
import { parseArgs } from 'node:util';
import { InputError } from '../../contract/problems.ts';
import { getTerminal, openSignIns, setTerminal } from '../../store/outbox.ts';
import { requireInstitution } from '../../store/settings.ts';
import { METHODS } from '../../service/contract.ts';
import { parseOrThrow } from '../../contract/problems.ts';
import { getStaffCode, saveStaffCode } from '../../store/staff.ts';
import { itemsWithOwnCode } from '../../store/catalog.ts';
import { downloadCatalogue, downloadCatalogueFile, uploadCatalogueMapping } from '../../outbox/catalogue.ts';
import { withPlatform, withWriter } from '../access.ts';
import { EXIT_OK, type Command } from '../io.ts';

export const terminalCommand: Command = {
  name: 'terminal',
  usage: 'terminal --data DIR [--no 0-9 --dev-no TEXT]',
  summary: "show or set this counter's terminal number (msgid digit) and dev_no",
  async run(args, io) {
    const { values } = parseArgs({ args, options: { data: { type: 'string' }, no: { type: 'string' }, 'dev-no': { type: 'string' } } });
    return withWriter(values.data, 'terminal', (db) => {
      if (values.no !== undefined || values['dev-no'] !== undefined) {
        const no = Number(values.no);
        if (!/^\d$/.test(values.no ?? '')) throw new InputError('BAD_TERMINAL_NO', '--no must be one digit 0-9 (each counter of an institution its own)', '终端号须为 0–9 的一位数字，同一机构的每台柜台各不相同');
        const devNo = (values['dev-no'] ?? '').trim();
        if (devNo.length < 1 || devNo.length > 100) throw new InputError('BAD_DEV_NO', '--dev-no must be 1-100 characters', '设备编号须为 1–100 个字符');
        setTerminal(db, { terminalNo: no, devNo });
      }
      io.stdout(JSON.stringify({ terminal: getTerminal(db) }, null, 2) + '\n');
      return EXIT_OK;
    });
  },
};

export const signOutCommand: Command = {
  name: 'sign-out',
  usage: 'sign-out --data DIR [--endpoint URL] [--operator ID]',
  summary: "send 9002 for the open platform sign-ins (shift end), or one operator's",
  async run(args, io) {
    const { values } = parseArgs({ args, options: { data: { type: 'string' }, endpoint: { type: 'string' }, operator: { type: 'string' } } });
    return withWriter(values.data, 'sign-out', (db) =>
      withPlatform(db, { endpoint: values.endpoint, stderr: io.stderr }, async ({ up }) => {
        const closed = await up.signOut(values.operator);
        io.stdout(JSON.stringify({ closed, open: openSignIns(db, values.operator).length }, null, 2) + '\n');
        return EXIT_OK;
      }),
    );
  },
};

export const staffCommand: Command = {
  name: 'staff',
  usage: 'staff --data DIR --operator ID [--code C --dept-code D --dept-name N [--name N --caty C]]',
  summary: "show or set an operator's national doctor/pharmacist code (2201 atddr_no, 2204 bilg_dr_codg) and department",
  async run(args, io) {
    const { values } = parseArgs({
      args,
      options: { data: { type: 'string' }, operator: { type: 'string' }, code: { type: 'string' }, name: { type: 'string' }, 'dept-code': { type: 'string' }, 'dept-name': { type: 'string' }, caty: { type: 'string' } },
    });
    return withWriter(values.data, 'staff', (db) => {
      if (!values.operator) throw new InputError('OPERATOR_REQUIRED', 'give --operator ID', '请指定操作员 --operator');
      if (values.code !== undefined || values['dept-code'] !== undefined || values['dept-name'] !== undefined) {
        const f = parseOrThrow(METHODS.setStaffCode.input.omit({ session: true }), { operatorId: values.operator, code: values.code, name: values.name, deptCode: values['dept-code'], deptName: values['dept-name'], caty: values.caty });
        saveStaffCode(db, f, new Date());
      }
      io.stdout(JSON.stringify({ staff: getStaffCode(db, values.operator) }, null, 2) + '\n');
      return EXIT_OK;
    });
  },
};

export const catalogueDownloadCommand: Command = {
  name: 'catalogue-download',
  usage: 'catalogue-download --data DIR [--endpoint URL] [--since "yyyy-MM-dd HH:mm:ss"] | --file [--ver V]',
  summary: 'page the national list (1312), or with --file fetch the 1301 file (9102 zip), into the local catalog; items we hold keep their own codes and prices',
  async run(args, io) {
    const { values } = parseArgs({ args, options: { data: { type: 'string' }, endpoint: { type: 'string' }, since: { type: 'string' }, file: { type: 'boolean' }, ver: { type: 'string' } } });
    if (values.ver !== undefined && !/^[0-9A-Za-z._-]{1,20}$/.test(values.ver)) throw new InputError('BAD_VER', '--ver must be the 版本号 of the last file (1-20 letters or digits; 0 = everything)', '版本号格式有误');
    return withWriter(values.data, 'catalogue-download', (db) =>
      withPlatform(db, { endpoint: values.endpoint, stderr: io.stderr }, async ({ deps }) => {
        const inst = requireInstitution(db);
        if (values.file) {
          const r = await downloadCatalogueFile(deps, inst, { ver: values.ver ?? '0' });
          io.stdout(JSON.stringify({ file: r.file, declared: r.declared, rows: r.rows, skipped: r.skipped, version: r.version, report: r.report }, null, 2) + '\n');
          return EXIT_OK;
        }
        const r = await downloadCatalogue(deps, inst, values.since ? { since: values.since } : {});
        io.stdout(JSON.stringify({ pages: r.pages, rows: r.rows, report: r.report }, null, 2) + '\n');
        return EXIT_OK;
      }),
    );
  },
};

export const catalogueMappingCommand: Command = {
  name: 'catalogue-mapping',
  usage: 'catalogue-mapping --data DIR [--endpoint URL]',
  summary: 'upload our own drug codes mapped to the national codes (3301 目录对照)',
  async run(args, io) {
    const { values } = parseArgs({ args, options: { data: { type: 'string' }, endpoint: { type: 'string' } } });
    return withWriter(values.data, 'catalogue-mapping', (db) =>
      withPlatform(db, { endpoint: values.endpoint, stderr: io.stderr }, async ({ deps }) => {
        const items = itemsWithOwnCode(db).map((i) => ({ code: i.code, ownCode: i.own_code!, name: i.trade_name ?? i.generic_name, spec: i.spec, form: i.dosage_form, approvalNo: i.approval_no }));
        const r = await uploadCatalogueMapping(deps, requireInstitution(db), items);
        io.stdout(JSON.stringify(r, null, 2) + '\n');
        return r.refused.length > 0 ? 1 : EXIT_OK;
      }),
    );
  },
};

export const PLATFORM_COMMANDS: Command[] = [terminalCommand, signOutCommand, staffCommand, catalogueDownloadCommand, catalogueMappingCommand];
