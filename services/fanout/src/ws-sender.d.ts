// ws exports its frame builder (`Sender.frame`, lib/sender.js) but @types/ws does not declare it:
// the part the fan-out uses to frame a message once and write it to many sockets.
import 'ws'

declare module 'ws' {
  interface FrameOptions {
    fin: boolean
    opcode: number
    mask: boolean
    readOnly: boolean
    rsv1?: boolean
  }
  export const Sender: {
    /** Header and payload of one frame; unmasked, the payload buffer is returned as it is. */
    frame(data: Buffer, options: FrameOptions): Buffer[]
  }
}
