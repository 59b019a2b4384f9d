// An operator's national staff codes: the 医保医师/药师编码 sent as 2201 atddr_no and 2204
// bilg_dr_codg, and the department from the 3401 科室信息上传 codes (bilg_dept_codg / caty).
import { z } from 'zod';

export const StaffCodeFields = z.object({
  operatorId: z.string().trim().regex(/^[A-Za-z0-9_-]{2,32}$/, { message: 'operator id: 2–32 letters, digits, - or _' }),
  code: z.string().trim().regex(/^[A-Za-z0-9]{1,30}$/, { message: 'national doctor/pharmacist code: 1–30 letters or digits' }),
  name: z.string().trim().min(1).max(50).optional(),
  deptCode: z.string().trim().regex(/^[A-Za-z0-9]{1,30}$/, { message: 'department code (3401): 1–30 letters or digits' }),
  deptName: z.string().trim().min(1).max(100),
  caty: z.string().trim().regex(/^[A-Za-z0-9]{1,6}$/, { message: 'caty (科别): 1–6 letters or digits' }).optional(),
});
export type StaffCodeFields = z.infer<typeof StaffCodeFields>;
