% # A labelled form field with its error message tied to it (aria-describedby).
% ftype = get('type', 'text')
% err = errors.get(name)
% hint = get('hint', '')
% described = ' '.join(x for x in ((f'{name}-error' if err else ''), (f'{name}-hint' if hint else '')) if x)
<div class="field{{' has-error' if err else ''}}">
  <label for="{{name}}">{{label}}{{!' <span class="optional">(optional)</span>' if get('optional') else ''}}</label>
% if hint:
  <p class="hint" id="{{name}}-hint">{{hint}}</p>
% end
% if err:
  <p class="error" id="{{name}}-error">{{label}}: {{err}}</p>
% end
% if ftype == 'textarea':
  <textarea id="{{name}}" name="{{name}}" rows="{{get('rows', 4)}}"{{!' required' if get('required') else ''}}{{!' aria-invalid="true"' if err else ''}}{{!(' aria-describedby="%s"' % described) if described else ''}}>{{form.get(name, '')}}</textarea>
% else:
  <input id="{{name}}" name="{{name}}" type="{{ftype}}" value="{{'' if ftype == 'password' else form.get(name, '')}}"{{!(' autocomplete="%s"' % get('autocomplete')) if get('autocomplete') else ''}}{{!(' inputmode="%s"' % get('inputmode')) if get('inputmode') else ''}}{{!' required' if get('required') else ''}}{{!' aria-invalid="true"' if err else ''}}{{!(' aria-describedby="%s"' % described) if described else ''}}>
% end
</div>
